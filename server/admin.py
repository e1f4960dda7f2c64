"""`socialnet admin`: the operator's commands, as Mastodon's `tootctl accounts`.

    socialnet admin users create EMAIL --first-name F --last-name L --date-of-birth YYYY-MM-DD
    socialnet admin users set-password EMAIL|ID
    socialnet admin users delete EMAIL|ID [--yes]
    socialnet admin users list [--search TEXT] [--limit N] [--json]
    socialnet admin sessions list [EMAIL|ID] [--limit N] [--json]
    socialnet admin sessions end [SESSION_ID ...] [--user EMAIL|ID]

They run the product's own rules (server/domain/admin.py, accounts.parse_registration, the
password hasher) on the database the server uses (DATABASE_URL, else the embedded one in the
data directory), and their events reach running servers over the bus: a session ended here
closes its sockets there. A password is read from a prompt (twice) on a terminal, else from
the first line of standard input, never from the command line (which `ps` and shell histories
show).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import trio

from server.config import Config
from server.domain import accounts, passwords
from server.domain import admin as rules
from server.errors import ApiError

# Rows listed when --limit is not given.
DEFAULT_LIMIT = 100


class AdminError(Exception):
    """A command that cannot be done as asked: one line, status 1."""


def add_commands(commands, *, preflight: Callable[[Config], None]) -> None:
    """Add `admin` and its commands; `preflight` checks the database before any of them."""
    admin = commands.add_parser(
        "admin",
        help="operator's commands: accounts and sessions",
        description=__doc__.split("\n\n")[0],
    )
    admin.add_argument("--data-dir", default=None, help="data directory (.data)")
    kinds = admin.add_subparsers(dest="admin_kind", required=True, metavar="{users,sessions}")

    users = kinds.add_parser("users", help="create, re-key, delete and list accounts")
    actions = users.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make an account (the password is asked for)")
    create.add_argument("email")
    create.add_argument("--first-name", required=True)
    create.add_argument("--last-name", required=True)
    create.add_argument("--date-of-birth", required=True, help="YYYY-MM-DD")
    create.add_argument("--nickname", default=None)
    create.add_argument("--private", action="store_true", help="a private profile")
    create.set_defaults(admin=create_user)

    set_password = actions.add_parser(
        "set-password", help="a new password (asked for); every session of the account ends"
    )
    set_password.add_argument("who", metavar="EMAIL|ID")
    set_password.set_defaults(admin=set_user_password)

    delete = actions.add_parser("delete", help="delete an account and what it authored")
    delete.add_argument("who", metavar="EMAIL|ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(admin=delete_user)

    listing = actions.add_parser("list", help="accounts, oldest first")
    listing.add_argument("--search", default=None, help="part of the email or the name")
    listing.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(admin=list_users)

    sessions = kinds.add_parser("sessions", help="list and end sessions")
    actions = sessions.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="live sessions, newest first")
    listing.add_argument("who", metavar="EMAIL|ID", nargs="?", help="one account's only")
    listing.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(admin=list_sessions)

    end = actions.add_parser("end", help="end sessions: their sockets close on every server")
    end.add_argument("ids", metavar="SESSION_ID", type=_positive, nargs="*")
    end.add_argument("--user", metavar="EMAIL|ID", default=None, help="every session of one")
    end.set_defaults(admin=end_sessions)

    def run(args: argparse.Namespace, config: Config) -> int:
        if args.data_dir is not None:
            from pathlib import Path

            config = _with_data_dir(config, Path(args.data_dir))
        preflight(config)
        try:
            return args.admin(args, config)
        except AdminError as error:
            print(f"socialnet admin: {error}", file=sys.stderr)
            return 1

    admin.set_defaults(run=run)


def _with_data_dir(config: Config, data_dir) -> Config:
    import dataclasses

    return dataclasses.replace(config, data_dir=data_dir)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# --- running against the database ---


def _on_database(config: Config, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `work(db)` on the server's database (one lane); a domain error as AdminError."""

    async def main() -> Any:
        import trio_asyncio

        from server.db.database import open_database_url, open_pool

        async with trio_asyncio.open_loop():
            async with open_database_url(config) as url:
                async with open_pool(url, size=1) as db:
                    return await work(db)

    try:
        return trio.run(main)
    except* ApiError as failed:
        error = failed.exceptions[0]
        while isinstance(error, BaseExceptionGroup):
            error = error.exceptions[0]
        detail = "; ".join(f"{field}: {why}" for field, why in (error.fields or {}).items())
        raise AdminError(f"{error.message} ({detail})" if detail else error.message) from None


def read_password() -> str:
    """From a prompt, twice, on a terminal; else the first line of standard input."""
    if sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("The same again: ") != password:
            raise AdminError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise AdminError("no password on standard input (its first line)")
    try:
        return accounts.check_password(password)
    except ApiError as error:
        why = (error.fields or {}).get("password", error.message)
        raise AdminError(f"password: {why}") from None


def _hash(password: str) -> str:
    return passwords.hash_password(password)  # tens of ms of CPU: fine in a command


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _print_rows(rows: list[dict], columns: list[str], *, as_json: bool) -> None:
    if as_json:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
        return
    cells = [[str(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


# --- the commands ---


def create_user(args: argparse.Namespace, config: Config) -> int:
    form = {
        "email": args.email,
        "password": read_password(),
        "first_name": args.first_name,
        "last_name": args.last_name,
        "date_of_birth": args.date_of_birth,
        "nickname": args.nickname,
        "is_public": "false" if args.private else "true",
    }
    try:
        registration = accounts.parse_registration(form)
    except ApiError as error:
        detail = "; ".join(f"{field}: {why}" for field, why in (error.fields or {}).items())
        raise AdminError(detail or error.message) from None
    password_hash = _hash(registration.password)

    async def work(db):
        return await db.transaction(rules.create_user, registration, password_hash)

    user = _on_database(config, work)
    print(f"created account {user.id} <{user.email}>")
    return 0


def set_user_password(args: argparse.Namespace, config: Config) -> int:
    password_hash = _hash(read_password())

    async def change(conn) -> tuple[int, int]:
        user_id = await rules.find_user(conn, args.who)
        return user_id, await rules.set_password(conn, user_id, password_hash)

    user_id, ended = _on_database(config, lambda db: db.transaction(change))
    print(f"password of account {user_id} set; {ended} sessions ended")
    return 0


def _confirm_deletion(who: str) -> None:
    if not sys.stdin.isatty():
        raise AdminError("deleting an account needs --yes when no one is at a terminal")
    answer = input(f"Delete account {who} and everything it authored? Type its name again: ")
    if answer.strip() != who:
        raise AdminError("not confirmed; nothing was deleted")


def delete_user(args: argparse.Namespace, config: Config) -> int:
    if not args.yes:
        _confirm_deletion(args.who)

    async def delete(conn) -> tuple[int, list[tuple[str, str]]]:
        user_id = await rules.find_user(conn, args.who)
        return user_id, await rules.delete_user(conn, user_id)

    async def delete_then_remove_images(db) -> int:
        from server.domain.account_data import remove_images
        from server.domain.media_sweeper import MediaSweeper

        user_id, files = await db.transaction(delete)
        await remove_images(MediaSweeper(db, config.media_dir), files)
        return user_id

    user_id = _on_database(config, delete_then_remove_images)
    print(f"deleted account {user_id}")
    return 0


def list_users(args: argparse.Namespace, config: Config) -> int:
    from server.db import admin as rows

    found = _on_database(
        config,
        lambda db: db.run(partial(rows.select_accounts, search=args.search, limit=args.limit)),
    )
    listed = [
        {
            "id": a.id,
            "email": a.email,
            "name": f"{a.first_name} {a.last_name}",
            "created": _when(a.created_at),
            "sessions": a.sessions,
        }
        for a in found
    ]
    _print_rows(listed, ["id", "email", "name", "created", "sessions"], as_json=args.json)
    return 0


def list_sessions(args: argparse.Namespace, config: Config) -> int:
    from server.db import admin as rows

    async def read(conn):
        user_id = None if args.who is None else await rules.find_user(conn, args.who)
        return await rows.select_sessions(conn, user_id=user_id, limit=args.limit)

    found = _on_database(config, lambda db: db.run(read))
    listed = [
        {
            "id": s.id,
            "user_id": s.user_id,
            "email": s.email,
            "started": _when(s.created_at),
            "expires": _when(s.expires_at),
        }
        for s in found
    ]
    _print_rows(listed, ["id", "user_id", "email", "started", "expires"], as_json=args.json)
    return 0


def end_sessions(args: argparse.Namespace, config: Config) -> int:
    if not args.ids and args.user is None:
        raise AdminError("name the sessions to end (their ids) or --user EMAIL|ID")

    async def end(conn) -> list[int]:
        user_id = None if args.user is None else await rules.find_user(conn, args.user)
        return await rules.end_sessions(conn, ids=args.ids, user_id=user_id)

    ended = _on_database(config, lambda db: db.transaction(end))
    missing = sorted(set(args.ids) - set(ended))
    print(f"ended {len(ended)} sessions" + (f"; none with id {missing}" if missing else ""))
    return 1 if missing else 0
