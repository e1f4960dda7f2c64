# syntax=docker/dockerfile:1
# Backend image: the trio/quart server (`socialnet serve`), which runs the Alembic
# migrations itself at start. Build context: the repository root.
#   docker build -f containers/backend.Dockerfile -t socialnet-backend:latest .
#
# The runtime is /opt/venv alone: the base dependencies of pyproject.toml (at the
# versions of the lock, requirements/base.txt) and the
# `socialnet` package installed from a wheel (not editable), with its migrations in
# /opt/venv/share/socialnet (pyproject's data-files, found by server/db/migrate.py).
# Nothing else: no load tools (loadtest/ is never copied in; `socialnet load` says
# what to install) and no pgserver (the `embedded` extra: compose gives a Postgres).

########## builder: the virtualenv ##########
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src

# The dependencies first, at the versions of the lock (uv.lock, exported with hashes to
# requirements/: base.txt is the base dependencies, no extra; build.txt the build backend, so
# that the project itself is then built offline). pip checks every file against its hash, so
# two builds of one commit install the same files (tests/test_lock.py keeps the exports equal
# to the lock, and the lock to pyproject.toml). This layer (manylinux wheels, no compiler
# needed) is rebuilt only when the lock changes.
#
# Optional build secrets, for a build behind a TLS-intercepting proxy or with a
# private index (containers/build.sh passes the host's): `pip_conf`, a pip.conf
# (index-url, cert = /run/secrets/ca_bundle, ...), and `ca_bundle`, a CA bundle.
# Secrets are mounted for this one step and never stored in a layer; without
# them (a plain `docker build`) pip uses PyPI and its own CA list.
COPY requirements/build.txt requirements/base.txt requirements/
RUN --mount=type=secret,id=pip_conf --mount=type=secret,id=ca_bundle \
    PIP_CONFIG_FILE=/run/secrets/pip_conf pip install --no-cache-dir --require-hashes \
        --requirement requirements/build.txt --requirement requirements/base.txt

# Then the project: what the server needs and nothing else (the .dockerignore
# keeps tests/ out; loadtest/ is simply not copied). pip and setuptools leave the
# venv afterwards: nothing imports them at run time. compileall: the unprivileged
# user cannot write __pycache__ at run time.
COPY pyproject.toml README.md alembic.ini ./
COPY alembic/ alembic/
COPY server/ server/
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && python -m compileall -q /opt/venv/lib/python3.11/site-packages/server /opt/venv/share/socialnet \
    && pip uninstall --yes --quiet setuptools pip

########## runtime: the venv, nothing else ##########
FROM python:3.11-slim-bookworm AS runtime

# Fixed ids (also used numerically by USER) so that the /data volume keeps its
# owner across rebuilds and the runtime can tell the user is not root.
RUN groupadd --system --gid 10001 socialnet \
    && useradd --system --no-log-init --uid 10001 --gid socialnet \
        --home-dir /data --no-create-home --shell /usr/sbin/nologin socialnet \
    && mkdir -p /data/media \
    && chown -R socialnet:socialnet /data

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SOCIALNET_DATA_DIR=/data

# Code and migrations stay root-owned: the server only writes under /data.
COPY --from=builder /opt/venv /opt/venv
WORKDIR /data

# Fail the build, not the first start: the migrations are found in the venv, and
# neither the load tools nor pgserver came along.
RUN python -c "from server.db.migrate import migrations_root as m; assert str(m()) == '/opt/venv/share/socialnet', m()" \
    && python -c "import importlib.util as u; assert not [n for n in ('loadtest', 'pgserver') if u.find_spec(n)]"

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

# start-period covers the migrations run at start.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]

CMD ["socialnet", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data", "--log-format", "json"]
