# syntax=docker/dockerfile:1
# Backend image: the trio/quart server (`socialnet serve`), which runs the Alembic
# migrations itself at start. Build context: the repository root.
#   docker build -f containers/backend.Dockerfile -t socialnet-backend:latest .
#
# Layout: dependencies in /opt/venv, the project itself in /app (server/, alembic/,
# alembic.ini). server.config.REPO_ROOT is the directory above the `server`
# package and the migrations are looked up there, so the project is installed in
# editable mode from /app: a regular wheel would put `server` in site-packages,
# where REPO_ROOT/"alembic" is the Alembic library itself.

########## builder: the virtualenv ##########
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /app

# Only the metadata and an empty `server` package: this layer (all dependencies,
# manylinux wheels, no compiler needed) is rebuilt only when pyproject.toml
# changes. The editable install maps `server` to /app/server, which the runtime
# stage fills with the real code. README.md (pyproject's `readme`) is an empty
# placeholder here, so that editing the real one does not reinstall everything:
# the package's long description is not used at run time.
#
# Optional build secrets, for a build behind a TLS-intercepting proxy or with a
# private index (containers/build.sh passes the host's): `pip_conf`, a pip.conf
# (index-url, cert = /run/secrets/ca_bundle, ...), and `ca_bundle`, a CA bundle.
# Secrets are mounted for this one step and never stored in a layer; without
# them (a plain `docker build`) pip uses PyPI and its own CA list. pip and
# setuptools leave the venv afterwards: nothing imports them at run time.
COPY pyproject.toml ./
RUN --mount=type=secret,id=pip_conf --mount=type=secret,id=ca_bundle \
    mkdir server \
    && touch server/__init__.py README.md \
    && PIP_CONFIG_FILE=/run/secrets/pip_conf pip install --no-cache-dir --editable . \
    && pip uninstall --yes --quiet setuptools pip

########## runtime: the venv and the project files, nothing else ##########
FROM python:3.11-slim-bookworm AS runtime

# Fixed ids (also used numerically by USER) so that the /data volume keeps its
# owner across rebuilds and the runtime can tell the user is not root.
RUN groupadd --system --gid 10001 socialnet \
    && useradd --system --no-log-init --uid 10001 --gid socialnet \
        --home-dir /app --no-create-home --shell /usr/sbin/nologin socialnet \
    && mkdir -p /data/media \
    && chown -R socialnet:socialnet /data

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SOCIALNET_DATA_DIR=/data

COPY --from=builder /opt/venv /opt/venv

# Code and migrations stay root-owned: the server only writes under /data.
WORKDIR /app
COPY alembic.ini ./
COPY alembic/ alembic/
COPY server/ server/

# Fail the build, not the first start, if the package does not resolve to /app.
# compileall: the unprivileged user cannot write __pycache__ at run time.
RUN python -c "from server.config import REPO_ROOT as r; assert (r / 'alembic.ini').is_file(), r" \
    && python -m compileall -q server

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

# start-period covers the migrations run at start.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]

CMD ["socialnet", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data", "--log-format", "json"]
