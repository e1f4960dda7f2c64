"""Configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

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


def product_version() -> str:
    """The installed package's version (pyproject.toml), as the health routes tell it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("socialnet")
    except PackageNotFoundError:
        return "unknown"


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


# GitHub speaks OAuth 2, not OpenID Connect: its endpoints are fixed, so it needs no issuer.
GITHUB = "github"
PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class ProviderSettings:
    """One external sign-in provider (SOCIALNET_OIDC_PROVIDERS and SOCIALNET_OIDC_<NAME>_*)."""

    name: str
    label: str
    client_id: str
    client_secret: str = field(repr=False)
    # An OpenID Connect issuer (discovery at <issuer>/.well-known/openid-configuration);
    # None for the GitHub preset.
    issuer: str | None


def providers_from_env(environ: Mapping[str, str] = os.environ) -> tuple[ProviderSettings, ...]:
    """The configured providers; ValueError naming the variable that is missing or wrong."""
    providers = []
    for raw in environ.get("SOCIALNET_OIDC_PROVIDERS", "").split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if not PROVIDER_NAME.match(name):
            raise ValueError(f"SOCIALNET_OIDC_PROVIDERS: {raw.strip()!r} is not a provider name")
        prefix = f"SOCIALNET_OIDC_{name.upper().replace('-', '_')}_"

        def get(key: str, prefix: str = prefix) -> str:
            return environ.get(prefix + key, "").strip()

        issuer = get("ISSUER").rstrip("/") or None
        if issuer is None and name != GITHUB:
            raise ValueError(f"{prefix}ISSUER is required for the provider {name!r}")
        for key in ("CLIENT_ID", "CLIENT_SECRET"):
            if not get(key):
                raise ValueError(f"{prefix}{key} is required for the provider {name!r}")
        default_label = "GitHub" if issuer is None else name.replace("-", " ").title()
        providers.append(
            ProviderSettings(
                name=name,
                label=get("LABEL") or default_label,
                client_id=get("CLIENT_ID"),
                client_secret=get("CLIENT_SECRET"),
                issuer=issuer,
            )
        )
    return tuple(providers)


DATABASE_URL_FORM = "postgresql://user:password@host:port/database"


def redacted_url(url: str) -> str:
    """`url` with its password replaced, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unreadable)"
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def check_database_url(url: str) -> str:
    """`url` when it has the form of a PostgreSQL URL (asyncpg's: `postgresql://` or
    `postgres://`, a host in the authority or a `?host=` socket directory, a numeric port);
    else ConfigError naming what is wrong. Whether a server answers there is another question
    (server/db/database.py, `check_reachable`)."""
    problem = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        problem = str(error)
    else:
        if parts.scheme not in ("postgresql", "postgres"):
            problem = f"the scheme must be postgresql://, not {parts.scheme or 'missing'}"
        elif not parts.hostname and not parse_qs(parts.query).get("host"):
            problem = "it names no host"
    if problem is not None:
        raise ConfigError(
            f"DATABASE_URL {redacted_url(url)!r} is not a PostgreSQL URL ({problem}): "
            f"expected {DATABASE_URL_FORM}"
        )
    return url


def parse_address(text: str, *, name: str) -> tuple[str, int]:
    """`host:port` (`[::1]:9100` for IPv6) as (host, port); ConfigError otherwise."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be host:port (such as 127.0.0.1:9100), not {text!r}")
    return host, int(port)


def _env_metrics_addr() -> tuple[str, int] | None:
    value = os.environ.get("SOCIALNET_METRICS_ADDR", "").strip()
    return parse_address(value, name="SOCIALNET_METRICS_ADDR") if value else None


LOG_LEVELS = ("debug", "info", "warning", "error")


def _env_log_level() -> str:
    value = os.environ.get("SOCIALNET_LOG_LEVEL", "").strip().lower() or "info"
    if value not in LOG_LEVELS:
        choices = ", ".join(LOG_LEVELS)
        raise ConfigError(f"SOCIALNET_LOG_LEVEL must be one of {choices}, not {value!r}")
    return value


def log_level_number(name: str) -> int:
    return logging.getLevelNamesMapping()[name.upper()]


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
    # The chat writer's coalescing window (server/domain/chat_writer.py), in seconds:
    # SOCIALNET_WRITER_WINDOW_MS, measured in docs/benchmarks.md ("The chat writer's window").
    writer_window: float = field(
        default_factory=lambda: _env_int("SOCIALNET_WRITER_WINDOW_MS", 0) / 1000
    )
    # debug, info (the default), warning or error (server/logs.py).
    log_level: str = field(default_factory=_env_log_level)
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
    # Where GET /metrics is served (SOCIALNET_METRICS_ADDR, host:port), or None: no metrics.
    metrics_addr: tuple[str, int] | None = field(default_factory=_env_metrics_addr)
    # The bus between processes: "postgres" (NOTIFY) or a Redis URL (server/realtime/bus.py).
    bus: str = field(default_factory=lambda: parse_bus(os.environ.get("SOCIALNET_BUS", "")))
    # In a worker process: its number (for its log lines), else None.
    worker: int | None = None
    # Tests migrate once per run, not once per server they start; workers once per supervisor.
    migrate_on_start: bool = True
    # Pool size: enough for a busy 2-core box; asyncpg connections are cheap to hold.
    db_pool_size: int = 10
    # Mail (password reset): smtp://user:password@host:port (smtps:// for TLS from the first
    # byte); unset, mails are written to the log instead (development).
    smtp_url: str | None = field(
        default_factory=lambda: os.environ.get("SOCIALNET_SMTP_URL", "").strip() or None
    )
    mail_from: str = field(
        default_factory=lambda: (
            os.environ.get("SOCIALNET_MAIL_FROM", "").strip() or "socialnet <no-reply@localhost>"
        )
    )
    # Where people reach the site: links in mails and the OpenID Connect redirect URIs start
    # with it. Unset: this server's own address (host and port), fine for `make run`.
    public_url: str | None = field(
        default_factory=lambda: (
            os.environ.get("SOCIALNET_PUBLIC_URL", "").strip().rstrip("/") or None
        )
    )

    # External sign-in providers (SPEC.md: Sign in with an external provider).
    oidc_providers: tuple[ProviderSettings, ...] = field(default_factory=providers_from_env)

    @property
    def site_url(self) -> str:
        """The public URL, or this server's own address when none is configured."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def postgres_dir(self) -> Path:
        return self.data_dir / "postgres"
