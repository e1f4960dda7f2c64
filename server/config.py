"""Configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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


def _default_client_dir() -> Path | None:
    configured = os.environ.get("SOCIALNET_CLIENT_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    built = REPO_ROOT / "client" / "build"
    return built if built.is_dir() else None


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
    workers: int = field(default_factory=lambda: _env_int("SOCIALNET_WORKERS", 1))
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
