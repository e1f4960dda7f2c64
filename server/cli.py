"""`socialnet`: the command line (serve, migrate, and the load tools: seed, load, baseline)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import trio

from server import logs
from server.config import Config
from server.load import cli as load_commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="socialnet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the product")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--data-dir", type=Path, default=None, help="data directory (.data)")
    serve.add_argument("--log-format", choices=("console", "json"), default=None)
    serve.add_argument(
        "--workers", type=_positive, default=None, help="server processes on the port (1)"
    )
    serve.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)

    migrate = commands.add_parser("migrate", help="apply the database migrations and exit")
    migrate.add_argument("--data-dir", type=Path, default=None, help="data directory (.data)")

    load_commands.add_commands(commands)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _config(args: argparse.Namespace) -> Config:
    config = Config()
    overrides = {
        name: value
        for name in ("host", "port", "data_dir", "log_format", "workers", "worker")
        if (value := getattr(args, name, None)) is not None
    }
    if overrides.get("worker") is not None:
        overrides["migrate_on_start"] = False  # the supervisor migrated before starting us
    return dataclasses.replace(config, **overrides)


async def _migrate(config: Config) -> None:
    from server.db.database import apply_migrations, open_database_url

    async with open_database_url(config) as url:
        await apply_migrations(url)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    config = _config(args)
    logs.configure(config.log_format, worker=config.worker)
    if args.command == "serve" and config.workers > 1 and config.worker is None:
        from server.workers import supervise

        sys.exit(trio.run(supervise, config))
    elif args.command == "serve":
        from server.service import main as serve_main

        trio.run(serve_main, config)
    elif args.command == "migrate":
        trio.run(_migrate, config)
        print("migrated to head", file=sys.stderr)
    else:
        sys.exit(load_commands.run_command(args, config))


if __name__ == "__main__":
    main()
