#!/usr/bin/env bash
# Build both socialnet images and start the stack (Postgres, backend, frontend).
# Uses docker when its daemon answers, else podman (with podman-compose). Runs
# from any directory; run it again after a change to rebuild and restart.
#
#   containers/build.sh             # then open http://127.0.0.1:8080
#   containers/build.sh --install   # first install podman, runc, debootstrap (apt)
#                                   # and podman-compose (pip) when missing
#
# Environment (all optional): POSTGRES_PASSWORD (local default "socialnet": set
# it for anything else), POSTGRES_USER, POSTGRES_DB, SOCIALNET_FRONTEND_PORT
# (8080), SOCIALNET_BACKEND_PORT (8000), SOCIALNET_SECURE_COOKIES,
# SOCIALNET_ALLOWED_ORIGINS, SOCIALNET_STANDINS (podman: auto | always | never),
# SOCIALNET_ENGINE=podman (skip docker). See containers/README.md.
set -euo pipefail

# shellcheck source=containers/engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine.sh"
cd "$SN_REPO_ROOT"
trap sn_cleanup_tmp EXIT

install=()
case "${1:-}" in
    --install) install=(--install) ;;
    "") ;;
    *) echo "usage: containers/build.sh [--install]" >&2; exit 2 ;;
esac

project=socialnet
sn_engine ${install[@]+"${install[@]}"}
sn_log "engine: $SN_ENGINE; compose: ${SN_COMPOSE[*]}"
sn_bases
sn_build "${SOCIALNET_BACKEND_IMAGE:-socialnet-backend:latest}" \
    "${SOCIALNET_FRONTEND_IMAGE:-socialnet-frontend:latest}"
SN_RECREATE=1 sn_up "$project"

frontend_port="${SOCIALNET_FRONTEND_PORT:-8080}"
backend_port="${SOCIALNET_BACKEND_PORT:-8000}"
compose_cmd="${SN_COMPOSE[*]} -p $project -f containers/compose.yaml"
echo
echo "socialnet is running: http://127.0.0.1:$frontend_port  (backend API directly: http://127.0.0.1:$backend_port)"
echo "status: $compose_cmd ps    logs: $compose_cmd logs -f"
echo "stop:   $compose_cmd down  (add -v to delete the database and media volumes)"
