"""Configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

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
