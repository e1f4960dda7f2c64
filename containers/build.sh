#!/usr/bin/env bash
# Build both socialnet images and start the stack (Postgres, backend, frontend).
# Uses docker when its daemon answers, else podman. Runs from any directory.
#   containers/build.sh            # then open http://127.0.0.1:8080
# Local passwords default to "socialnet"; set POSTGRES_PASSWORD for anything else.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

compose_file=containers/compose.yaml

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    engine=(docker)
    build_flags=()
    if docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
        compose=(docker-compose)
    else
        echo "error: docker works but neither 'docker compose' nor 'docker-compose' is installed" >&2
        exit 1
    fi
elif command -v podman >/dev/null 2>&1; then
    engine=(podman)
    # Docker format keeps the images' HEALTHCHECK (OCI format drops it).
    build_flags=(--format docker)
    if command -v podman-compose >/dev/null 2>&1; then
        compose=(podman-compose)
    else
        compose=(podman compose)
    fi
else
    echo "error: no working container engine (docker daemon unreachable, podman not installed)" >&2
    exit 1
fi

echo "==> building socialnet-backend:latest with ${engine[*]}"
"${engine[@]}" build ${build_flags[@]+"${build_flags[@]}"} -f containers/backend.Dockerfile -t socialnet-backend:latest .

echo "==> building socialnet-frontend:latest with ${engine[*]}"
"${engine[@]}" build ${build_flags[@]+"${build_flags[@]}"} -f containers/frontend.Dockerfile -t socialnet-frontend:latest .

echo "==> starting the stack with ${compose[*]}"
"${compose[@]}" -f "$compose_file" up -d

echo
echo "socialnet is starting: http://127.0.0.1:8080  (backend API directly: http://127.0.0.1:8000)"
echo "status: ${compose[*]} -f $compose_file ps    logs: ${compose[*]} -f $compose_file logs -f"
