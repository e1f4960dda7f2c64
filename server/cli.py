"""`socialnet`: the command line (serve, migrate, and the commands other packages add).

The load tools (seed, load, baseline) are such commands: they live in the `loadtest` package,
which the production image does not ship, and are found through the entry point group
`socialnet.commands`, so this package never imports them. Each entry point names a function
that adds its subcommand to the subparsers and sets `run(args, config) -> exit status`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import trio

from server import logs
from server.config import (
    LOG_LEVELS,
    Config,
    ConfigError,
    check_database_url,
    default_workers,
    log_level_number,
    workers_from_environment,
)
from server.preflight import StartupError, check_data_dir, check_port

COMMANDS_GROUP = "socialnet.commands"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="socialnet", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the product")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--data-dir", type=Path, default=None, help="data directory (.data)")
    serve.add_argument("--log-format", choices=("console", "json"), default=None)
    serve.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=None,
        help="the least important lines logged (default info, or SOCIALNET_LOG_LEVEL)",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="server processes on the port (default: one per core, at most 8; 1 with --port 0)",
    )
    serve.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="apply the database migrations and exit")
    migrate.add_argument("--data-dir", type=Path, default=None, help="data directory (.data)")
    migrate.set_defaults(run=_run_migrate)

    from server import admin

    admin.add_commands(commands, preflight=partial(preflight, port=False))

    for entry in entry_points(group=COMMANDS_GROUP):
        try:
            add_command = entry.load()
        except ImportError as error:
            _add_unavailable(commands, entry, error)
        else:
            add_command(commands)
    return parser


def _add_unavailable(commands, entry: EntryPoint, error: ImportError) -> None:
    """A command whose package or dependencies are missing (the production image has no load
    tools) still parses, whatever its arguments, and says in one line what to install."""
    extras = ",".join(entry.extras)
    install = f"pip install '.[{extras}]'" if extras else "reinstall socialnet"
    message = f"socialnet {entry.name}: not installed here ({error}); {install}"

    def run(args: argparse.Namespace, config: Config) -> int:
        print(message, file=sys.stderr)
        return 1

    command = commands.add_parser(entry.name, help=f"(not installed: {install})", add_help=False)
    command.set_defaults(run=run, takes_any_arguments=True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _config(args: argparse.Namespace) -> Config:
    config = Config()
    overrides = {
        name: value
        for name in ("host", "port", "data_dir", "log_format", "log_level", "workers", "worker")
        if (value := getattr(args, name, None)) is not None
    }
    if overrides.get("worker") is not None:
        overrides["migrate_on_start"] = False  # the supervisor migrated before starting us
    elif (
        getattr(args, "command", None) == "serve"
        and "workers" not in overrides
        and not workers_from_environment()
    ):
        # Workers share one port: a port the kernel picks (0) would be a port each.
        port = overrides.get("port", config.port)
        overrides["workers"] = 1 if port == 0 else default_workers()
    return dataclasses.replace(config, **overrides)


def preflight(config: Config, *, port: bool) -> None:
    """Before anything starts (server/preflight.py): DATABASE_URL's form, and that the database
    answers there; else the data directory, where the embedded Postgres would live; the port
    (`port`), before the embedded Postgres starts. StartupError or ConfigError on the first
    failure."""
    from server.db.database import check_reachable

    if config.database_url:
        check_database_url(config.database_url)
    if port:
        check_port(config.host, config.port)
        if config.metrics_addr is not None:
            check_port(*config.metrics_addr)
    if port or not config.database_url:  # serve stores media; the embedded Postgres its files
        check_data_dir(config.data_dir)
    if config.database_url:
        check_reachable(config.database_url)


def _serve(args: argparse.Namespace, config: Config) -> int:
    if config.worker is not None or config.metrics_addr is None:
        return _serve_now(config)
    # The one process that serves the metrics, for itself and its workers (server/metrics.py).
    from server import metrics

    preflight(config, port=True)
    with metrics.open_metrics_directory(), metrics.serve_metrics(*config.metrics_addr):
        return _serve_now(config, checked=True)


def _serve_now(config: Config, *, checked: bool = False) -> int:
    if config.worker is None and not checked:  # a worker's supervisor checked for it, once
        preflight(config, port=True)
    try:
        if config.workers > 1 and config.worker is None:
            from server.workers import supervise

            return trio.run(supervise, config)
        from server.service import main as serve_main

        trio.run(serve_main, config)
        return 0
    except* KeyboardInterrupt:
        # A second Ctrl-C during the shutdown the first began: stop at once, as asked (a
        # supervisor's workers, whose lifeline ends with it, still finish theirs).
        pass
    print("socialnet: stopped at once (a second interrupt)", file=sys.stderr)
    return 130


async def _migrate(config: Config) -> None:
    from server.db.database import apply_migrations, open_database_url

    async with open_database_url(config) as url:
        await apply_migrations(url)


def _run_migrate(args: argparse.Namespace, config: Config) -> int:
    preflight(config, port=False)
    trio.run(_migrate, config)
    print("migrated to head", file=sys.stderr)
    return 0


def _innermost(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "takes_any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        config = _config(args)
    except ConfigError as error:
        sys.exit(f"socialnet: {error}")
    logs.configure(config.log_format, log_level_number(config.log_level), worker=config.worker)
    try:
        status = args.run(args, config)
    except* (StartupError, ConfigError) as failed:
        # Often raised under a nursery or two: the one line, not the groups' tracebacks.
        sys.exit(f"socialnet: {_innermost(failed)}")
    sys.exit(status)


if __name__ == "__main__":
    main()
