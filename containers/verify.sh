#!/usr/bin/env bash
# End-to-end check of the container build, run by `make test` (test-containers):
#   1. builds both images (docker when an engine answers, else podman; on a host
#      without an image registry, local stand-ins for the base images, see
#      containers/standins/standins.sh);
#   2. starts the compose stack as a throwaway project (unique name, free ports,
#      its own images and volumes);
#   3. checks it from outside: exactly two application containers of non-zero
#      size (`ps -a --size`), no load tools and no pgserver in the backend image,
#      health through the frontend, then a browser test
#      through the frontend port (containers/verify_browser.py): register, log in,
#      post, and a chat message over the proxied WebSocket;
#   4. stops and removes everything it made (containers, network, volumes, the
#      two image tags), also on failure or Ctrl-C. Kept between runs on purpose,
#      so that a second run is quick: the stand-in base images and the build
#      cache (the images tagged socialnet-verify-{backend,frontend}:cache and
#      :cache-stage).
# It installs what it needs when missing (podman, runc, debootstrap, curl and
# podman's DNS plugin with apt-get, see engine.sh; podman-compose with pip into
# .venv; Debian's chromium). Needs .venv with Playwright (make install).
#
#   bash containers/verify.sh          # KEEP=1 leaves the stack running to look at
set -euo pipefail

# shellcheck source=containers/engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine.sh"
cd "$SN_REPO_ROOT"

run_id="$(date +%Y%m%d%H%M%S)-$$"
project="socialnet-verify-$run_id"
backend_image="localhost/socialnet-verify-backend:$run_id"
frontend_image="localhost/socialnet-verify-frontend:$run_id"
python="$SN_REPO_ROOT/.venv/bin/python"
started_at=$SECONDS
passed=0
stack_started=0
images_built=0
result=1

pass() { passed=$((passed + 1)); printf '    ok: %s\n' "$*"; }

# The script's own stdout and stderr: a signal can arrive while a command's output
# is redirected to a log, and the trap runs inside that redirection.
exec 3>&1 4>&2

finish() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    exec 1>&3 2>&4
    if [[ "${KEEP:-0}" == 1 && $stack_started -eq 1 ]]; then
        sn_log "KEEP=1: leaving project $project running (frontend http://127.0.0.1:${frontend_port:-?})"
        sn_note "remove it with: ${SN_COMPOSE[*]} -p $project -f containers/compose.yaml down -v"
    else
        if [[ $stack_started -eq 1 ]]; then
            sn_log "removing project $project (containers, network, volumes)"
            sn_down "$project" --volumes
        fi
        if [[ $images_built -eq 1 ]]; then
            local image
            for image in "$backend_image" "$frontend_image"; do
                "$SN_ENGINE" rmi "$image" >/dev/null 2>&1
            done
        fi
        if [[ -n "${SN_ENGINE:-}" ]]; then
            local left
            left="$("$SN_ENGINE" ps -a -q --filter "label=com.docker.compose.project=$project")"
            left+="$("$SN_ENGINE" volume ls -q --filter "label=com.docker.compose.project=$project")"
            local volume
            for volume in ${SN_DOWN_VOLUMES:-}; do
                if "$SN_ENGINE" volume inspect "$volume" >/dev/null 2>&1; then left+=" $volume"; fi
            done
            if [[ -n "$left" ]]; then
                echo "error: left behind by $project: $left" >&2
                rc=1
            fi
        fi
    fi
    sn_cleanup_tmp
    local total=$((SECONDS - started_at))
    if [[ $rc -eq 0 && $result -eq 0 ]]; then
        sn_log "containers verified in ${total} s"
        echo "containers: $passed passed, 0 failed"
    else
        sn_log "container verification FAILED after ${total} s"
        echo "containers: $passed passed, 1 failed"
        rc=1
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
sn_log "socialnet container verification ($project)"
if ! { [[ -x "$python" ]] && "$python" -c 'import playwright' 2>/dev/null; }; then
    sn_die ".venv with Playwright is missing: run 'make install' first"
fi
[[ -x "${SOCIALNET_CHROMIUM:-/usr/bin/chromium}" ]] || bash tests/e2e/ensure-chromium.sh

sn_engine --install
sn_note "engine: $SN_ENGINE ($("$SN_ENGINE" --version | head -n 1)); compose: ${SN_COMPOSE[*]}"
[[ -n "${CONTAINERS_CONF:-}" ]] && sn_note "CONTAINERS_CONF=$CONTAINERS_CONF"
sn_bases

sn_tmpdir
build_log="$SN_TMP/build.log"
step_start=$SECONDS
images_built=1
# The whole build output goes to a log; progress (each build step) to the terminal.
if ! sn_build "$backend_image" "$frontend_image" \
    localhost/socialnet-verify-backend:cache localhost/socialnet-verify-frontend:cache 2>&1 \
    | tee "$build_log" \
    | grep --line-buffered -E '^(==>|    (build secrets|backend image|frontend image)|\[[0-9]+/[0-9]+\] STEP)' \
    | sed -u -e '/^\[/{s/[[:space:]]\{1,\}/ /g;s/^/    /;}' -e 's/^\(.\{110\}\).*/\1.../'; then
    tail -n 60 "$build_log" >&2
    sn_die "image build failed (last lines above)"
fi
pass "both images built ($((SECONDS - step_start)) s)"

# Free host ports: a development server may hold 8000/8080.
read -r frontend_port backend_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()
PY
)
export SOCIALNET_FRONTEND_PORT="$frontend_port" SOCIALNET_BACKEND_PORT="$backend_port"
export SOCIALNET_BACKEND_IMAGE="$backend_image" SOCIALNET_FRONTEND_IMAGE="$frontend_image"
export POSTGRES_PASSWORD="verify-$RANDOM$RANDOM"
sn_note "ports: frontend $frontend_port, backend $backend_port"

stack_started=1
step_start=$SECONDS
sn_up "$project"
pass "stack up, every service healthy ($((SECONDS - step_start)) s)"

# ---------------------------------------------------------------------------
sn_log "checking the containers (${SN_ENGINE} ps -a --size)"
"$SN_ENGINE" ps -a --size --filter "label=com.docker.compose.project=$project" \
    --format 'table {{.Names}}\t{{.Image}}\t{{.Status}}\t{{.Size}}' | sed 's/^/    /'
app_rows="$("$SN_ENGINE" ps -a --size --filter "label=com.docker.compose.project=$project" \
    --format '{{.Image}}|{{.Size}}' | grep -E "^(${backend_image}|${frontend_image})\|" || true)"
app_count="$(printf '%s' "$app_rows" | grep -c . || true)"
[[ "$app_count" == 2 ]] || sn_die "expected exactly 2 application containers, found $app_count"
while IFS='|' read -r image size; do
    # "12kB (virtual 284MB)": the virtual size is the image plus the writable layer.
    virtual="$(sed -n 's/.*virtual \([0-9.]*\).*/\1/p' <<<"$size")"
    if [[ -z "$virtual" ]] || ! awk -v v="$virtual" 'BEGIN { exit !(v > 0) }'; then
        sn_die "$image: container size is zero or unknown ($size)"
    fi
done <<<"$app_rows"
total_count="$("$SN_ENGINE" ps -a -q --filter "label=com.docker.compose.project=$project" | grep -c .)"
pass "exactly 2 application containers of non-zero size (+ postgres: $total_count in the project)"

# ---------------------------------------------------------------------------
# The backend image is the runtime alone (containers/backend.Dockerfile): it
# migrated the database from its non-editable install (it is healthy), and it
# holds neither the load tools nor pgserver.
sn_log "checking what the backend image leaves out"
backend_id="$(sn_container "$project" backend)"
if load_said="$("$SN_ENGINE" exec "$backend_id" socialnet load idle 2>&1)"; then
    sn_die "'socialnet load' ran in the backend image: the load tools came along"
fi
[[ "$load_said" == *"pip install '.[load]'"* ]] \
    || sn_die "'socialnet load' in the backend image did not say what to install: $load_said"
if "$SN_ENGINE" exec "$backend_id" python -c 'import pgserver' >/dev/null 2>&1; then
    sn_die "pgserver is installed in the backend image"
fi
pass "backend image: no load tools ('socialnet load': $load_said), no pgserver"

# ---------------------------------------------------------------------------
base="http://127.0.0.1:$frontend_port"
sn_log "checking health through the frontend ($base)"
health="$(curl -fsS -m 10 "$base/api/health")" || sn_die "GET $base/api/health failed"
[[ "$health" == *'"status"'*'"ok"'* ]] || sn_die "unexpected /api/health answer: $health"
pass "GET /api/health through nginx: $health"
curl -fsS -m 10 -o /dev/null "$base/healthz" || sn_die "GET $base/healthz failed"
curl -fsS -m 10 "$base/register" | grep -q '<html' || sn_die "GET $base/register: no SPA shell"
pass "nginx serves /healthz and the client (SPA fallback on /register)"
backend_health="$(curl -fsS -m 10 "http://127.0.0.1:$backend_port/api/health")" \
    || sn_die "GET /api/health on the backend's port failed"
pass "backend port answers too: $backend_health"

# ---------------------------------------------------------------------------
sn_log "browser test through the frontend ($base)"
step_start=$SECONDS
if ! "$python" containers/verify_browser.py --base-url "$base"; then
    for service in backend frontend; do
        echo "--- $service logs (last 30 lines)" >&2
        "$SN_ENGINE" logs --tail 30 "$(sn_container "$project" "$service")" >&2 2>&1 || true
    done
    sn_die "browser test failed"
fi
pass "browser: register, log in, post with an image (/media), chat over the proxied WebSocket ($((SECONDS - step_start)) s)"

result=0
