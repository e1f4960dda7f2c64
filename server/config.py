"""Configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


class ConfigError(ValueError):
    """A setting that cannot be used; the command line says so in one line."""


def _env_switch(name: str, default: bool) -> bool:
    """on/off (or true/false, yes/no, 1/0); anything else is refused rather than guessed, since
    a switch of a security control must not turn off on a typo."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be on or off, not {value!r}")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: tuple[str, ...], *, name: str) -> tuple[Network, ...]:
    """Addresses or CIDR blocks (`10.0.0.0/8`, `::1`) as networks."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {entry!r} is not an address or a network") from None
    return tuple(networks)


def _env_networks(name: str) -> tuple[Network, ...]:
    return parse_networks(_env_list(name), name=name)


def _default_client_dir() -> Path | None:
    configured = os.environ.get("SOCIALNET_CLIENT_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    built = REPO_ROOT / "client" / "build"
    return built if built.is_dir() else None


# Workers by default: one per core this process may use, at most this many. Each worker holds up
# to `db_pool_size` database connections and one for the bus: 8 workers stay within the 100
# connections of a default Postgres.
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One server process per core: a process runs its Python on one core at a time, and a
    message's work (HTTP, the trio/asyncio crossing, frames) is CPU, so a second core helps
    only through a second process (docs/benchmarks.md measures 1 against 2)."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS))


def workers_from_environment() -> bool:
    return bool(os.environ.get("SOCIALNET_WORKERS", "").strip())


BUS_SCHEMES = ("redis", "redis+cluster")


def parse_bus(value: str) -> str:
    """The bus engine: "postgres" (NOTIFY, the default) or a Redis URL (redis://host:port, or
    redis+cluster://host:port[,host:port...] for a Redis Cluster's sharded pub/sub)."""
    value = value.strip() or "postgres"
    if value == "postgres":
        return value
    scheme, _, rest = value.partition("://")
    if scheme not in BUS_SCHEMES or not rest.strip("/"):
        raise ConfigError(
            "SOCIALNET_BUS must be postgres, redis://host:port or redis+cluster://host:port"
            f"[,host:port...], not {value!r}"
        )
    for node in rest.rstrip("/").rsplit("@", 1)[-1].split(","):
        _host, _, port = node.rpartition(":")
        if not port.isdigit():
            raise ConfigError(f"SOCIALNET_BUS: {node!r} is not host:port")
    return value.rstrip("/")


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("SOCIALNET_DATA_DIR", ".data"))
    )
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    allowed_origins: tuple[str, ...] = field(
        default_factory=lambda: _env_list("SOCIALNET_ALLOWED_ORIGINS")
    )
    secure_cookies: bool = field(
        default_factory=lambda: _env_bool("SOCIALNET_SECURE_COOKIES", False)
    )
    client_dir: Path | None = field(default_factory=_default_client_dir)
    log_format: str = field(
        default_factory=lambda: os.environ.get("SOCIALNET_LOG_FORMAT", "console")
    )
    # Server processes behind the one port (server/workers.py); 1 serves from this process.
    # `socialnet serve` without --workers or SOCIALNET_WORKERS takes default_workers().
    workers: int = field(default_factory=lambda: _env_int("SOCIALNET_WORKERS", 1))
    # SOCIALNET_RATE_LIMITS=off turns the per-address budgets (and the per-user chat budget)
    # off, for load tests and audits from one address; the per-account login limit stays.
    rate_limits: bool = field(default_factory=lambda: _env_switch("SOCIALNET_RATE_LIMITS", True))
    # Proxies whose X-Forwarded-For names the client (server/addresses.py).
    trusted_proxies: tuple[Network, ...] = field(
        default_factory=lambda: _env_networks("SOCIALNET_TRUSTED_PROXIES")
    )
    # The bus between processes: "postgres" (NOTIFY) or a Redis URL (server/realtime/bus.py).
    bus: str = field(default_factory=lambda: parse_bus(os.environ.get("SOCIALNET_BUS", "")))
    # In a worker process: its number (for its log lines), else None.
    worker: int | None = None
    # Tests migrate once per run, not once per server they start; workers once per supervisor.
    migrate_on_start: bool = True
    # Pool size: enough for a busy 2-core box; asyncpg connections are cheap to hold.
    db_pool_size: int = 10

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def postgres_dir(self) -> Path:
        return self.data_dir / "postgres"
