"""The load testers' commands: seed, load, baseline.

`socialnet` finds them through the entry point group `socialnet.commands` (pyproject.toml): each
`add_*` function adds its subcommand and sets the function that runs it. What they need beyond the
server's own runtime is imported here, when they are added, so that a missing piece makes
`socialnet` say what to install instead of failing halfway through a run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import trio

from loadtest.driver import load_users, run_load
from loadtest.seed import EMAIL_DOMAIN, PASSWORD, SeedPlan, run_seed, write_sessions
from loadtest.stats import Targets, format_table, to_json
from server.config import Config
from server.gc_tuning import tune_garbage_collector

DEFAULT_SESSIONS = Path(".data/load-sessions.json")

# The targets of the product on a 2-core box (docs/benchmarks.md), per scenario.
# feed-live has no target in the issue: 100 ms from a post's request to its arrival at Home is
# what a reader would call live, and what a 2-core box holds (docs/benchmarks.md).
DEFAULT_P99_MS = {"idle": None, "direct": 50.0, "group": 500.0, "feed": 50.0, "feed-live": 100.0}


def add_seed(commands) -> None:
    seed = commands.add_parser("seed", help="fill the database fast for load runs")
    seed.add_argument("--users", type=int, required=True)
    seed.add_argument("--posts", type=int, default=0)
    seed.add_argument("--groups", type=int, default=1)
    seed.add_argument("--prefix", default="load", help="emails are <prefix><n>@load.test")
    seed.add_argument("--sessions", type=Path, default=DEFAULT_SESSIONS)
    seed.add_argument("--data-dir", type=Path, default=None)
    seed.set_defaults(run=run_seed_command)


def add_load(commands) -> None:
    load = commands.add_parser("load", help="drive simulated users against a running server")
    load.add_argument("scenario", choices=sorted(DEFAULT_P99_MS))
    load.add_argument("--url", default="http://127.0.0.1:8000")
    load.add_argument("--users", type=int, default=100)
    load.add_argument("--rate", type=float, default=10.0, help="messages or requests per second")
    load.add_argument("--duration", type=float, default=10.0, help="seconds")
    load.add_argument("--sessions", type=Path, default=DEFAULT_SESSIONS)
    load.add_argument("--json", type=Path, default=None, help="also write the report here")
    load.add_argument("--p99-ms", type=float, default=None, help="override the p99 target")
    load.add_argument(
        "--server-pid",
        type=int,
        default=None,
        help="measure its memory (and its children's: all workers)",
    )
    load.add_argument(
        "--cpu-pid",
        type=int,
        action="append",
        default=[],
        help="count this process tree's CPU per message (repeat: the server, its Postgres)",
    )
    load.add_argument("--quiet", action="store_true", help="no progress line")
    load.set_defaults(run=run_load_command)


def add_baseline(commands) -> None:
    baseline = commands.add_parser("baseline", help="serve the bare stack for comparison")
    baseline.add_argument("--host", default="127.0.0.1")
    baseline.add_argument("--port", type=int, default=8001)
    baseline.add_argument("--sessions", type=Path, default=DEFAULT_SESSIONS)
    baseline.set_defaults(run=run_baseline_command)


async def _seed(config: Config, plan: SeedPlan) -> list[dict]:
    import trio_asyncio

    from server.db.database import apply_migrations, open_database_url

    async with open_database_url(config) as url:
        await apply_migrations(url)
        async with trio_asyncio.open_loop():
            return await trio_asyncio.aio_as_trio(run_seed)(url, plan)


def run_seed_command(args: argparse.Namespace, config: Config) -> int:
    plan = SeedPlan(users=args.users, posts=args.posts, groups=args.groups, prefix=args.prefix)
    created = trio.run(_seed, config, plan)
    write_sessions(args.sessions, created)
    print(
        f"seeded {len(created)} users, {args.posts} posts, {args.groups} groups\n"
        f"log in as {args.prefix}<n>@{EMAIL_DOMAIN} with password {PASSWORD!r}"
        f" (n = 0..{len(created) - 1}); pairs 2k and 2k+1 follow each other;\n"
        f"everyone is in 'Load room'; sessions for `socialnet load` in {args.sessions}"
    )
    return 0


def run_baseline_command(args: argparse.Namespace, config: Config) -> int:
    from loadtest.baseline import main  # quart and hypercorn: the server's own runtime

    tune_garbage_collector()
    main(args.sessions, args.host, args.port)
    return 0


def run_load_command(args: argparse.Namespace, config: Config) -> int:
    users = load_users(args.sessions, args.users)
    tune_garbage_collector()
    p99 = args.p99_ms if args.p99_ms is not None else DEFAULT_P99_MS[args.scenario]
    stats, extra = trio.run(
        lambda: run_load(
            args.scenario,
            args.url,
            users,
            rate=args.rate,
            duration=args.duration,
            server_pid=args.server_pid,
            cpu_pids=args.cpu_pid,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    )
    failures = Targets(p99_ms=p99).failures(stats)
    print(format_table(stats, failures))
    for key, value in extra.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(to_json(stats, failures, extra))
    return 0 if not failures else 1
