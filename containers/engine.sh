# shellcheck shell=bash
# Shared by containers/build.sh and containers/verify.sh (sourced, not run):
# pick the container engine, prepare podman on hosts without a registry, build the
# two images with the host's package-registry settings as build secrets, and start
# or stop the compose stack in dependency order.
#
# After sn_engine: SN_ENGINE (docker|podman), SN_COMPOSE (array), SN_REPO_ROOT.

SN_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SN_COMPOSE_FILE="$SN_REPO_ROOT/containers/compose.yaml"
SN_TMP=""

sn_log() { printf '==> %s\n' "$*"; }
sn_note() { printf '    %s\n' "$*"; }
sn_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

sn_tmpdir() {
    if [[ -z "$SN_TMP" ]]; then
        SN_TMP="$(mktemp -d "${TMPDIR:-/tmp}/socialnet-containers.XXXXXX")"
    fi
}

sn_cleanup_tmp() {
    if [[ -n "$SN_TMP" ]]; then
        rm -rf "$SN_TMP"
        SN_TMP=""
    fi
}

# podman without systemd prints these on every start/stop of a container with a
# healthcheck (its timers need systemd; sn_wait_healthy runs the checks itself).
sn_quiet_podman() {
    "$@" 2> >(grep -v -e 'systemd connection' -e 'healthcheck: unable to get systemd' >&2)
}

# sn_apt_install PACKAGE...: apt-get install, without recommends (apt-get update
# once per run first).
SN_APT_UPDATED=0
sn_apt_install() {
    sn_log "installing $* (apt-get)"
    if [[ $SN_APT_UPDATED -eq 0 ]]; then
        apt-get update -qq >/dev/null
        SN_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
        >/dev/null 2> >(grep -v '^debconf: ' >&2)
}

# Containers on a compose network reach each other by service name (the backend
# connects to `postgres`). podman's netavark backend resolves names with
# aardvark-dns; its CNI backend (podman 4.3 on Debian 12) only with the dnsname
# plugin, which Debian's podman merely recommends: with --no-install-recommends
# the backend dies resolving `postgres`. So look for the plugin file itself, also
# where podman was installed before (by hand, or by an older version of this).
SN_DNSNAME_PACKAGE=golang-github-containernetworking-plugin-dnsname
sn_podman_resolves_names() {
    [[ "$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null)" == netavark ]] && return 0
    local dir
    for dir in /usr/lib/cni /usr/libexec/cni /usr/local/lib/cni /usr/local/libexec/cni /opt/cni/bin; do
        [[ -x "$dir/dnsname" ]] && return 0
    done
    return 1
}

# sn_engine [--install]: docker when its daemon answers, else podman. With
# --install (as root, with apt-get), installs the Debian packages the podman path
# needs when missing: podman, runc, debootstrap, curl and podman's DNS plugin; and
# pip installs podman-compose into the project's .venv (or a tools venv).
sn_engine() {
    local install=0
    [[ "${1:-}" == --install ]] && install=1

    if [[ "${SOCIALNET_ENGINE:-}" != podman ]] && command -v docker >/dev/null 2>&1 \
        && timeout 20 docker info >/dev/null 2>&1; then
        SN_ENGINE=docker
        if docker compose version >/dev/null 2>&1; then
            SN_COMPOSE=(docker compose)
        elif command -v docker-compose >/dev/null 2>&1; then
            SN_COMPOSE=(docker-compose)
        else
            sn_die "docker answers but neither 'docker compose' nor 'docker-compose' is installed"
        fi
        return 0
    fi

    SN_ENGINE=podman
    # runc: see podman/containers.conf; debootstrap: the stand-ins; curl: the
    # registry probe (sn_bases) and verify.sh's checks.
    local missing=() can_install=0
    if [[ $install -eq 1 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        can_install=1
    fi
    command -v podman >/dev/null 2>&1 || missing+=(podman)
    command -v runc >/dev/null 2>&1 || missing+=(runc)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    if [[ ${#missing[@]} -gt 0 && $can_install -eq 1 ]]; then
        sn_note "no docker engine answers here: podman"
        sn_apt_install "${missing[@]}"
    fi
    command -v podman >/dev/null 2>&1 \
        || sn_die "no container engine: docker's daemon does not answer and podman is not installed"
    # Asked of podman once it is installed: which network backend it uses.
    if ! sn_podman_resolves_names && [[ $can_install -eq 1 ]]; then
        sn_apt_install "$SN_DNSNAME_PACKAGE"
    fi
    sn_podman_resolves_names || sn_die "podman's networks resolve no container names here" \
        "(CNI without the dnsname plugin): install $SN_DNSNAME_PACKAGE, or run with --install as root"

    # Host quirks measured here (see containers/podman/containers.conf): runc, and
    # ulimits that fit the host's bounding set. A caller's own CONTAINERS_CONF wins.
    if [[ -z "${CONTAINERS_CONF:-}" ]] && command -v runc >/dev/null 2>&1; then
        export CONTAINERS_CONF="$SN_REPO_ROOT/containers/podman/containers.conf"
    fi

    # podman 4.3 has no `podman compose`: podman-compose from PyPI.
    local pc=""
    if command -v podman-compose >/dev/null 2>&1; then
        pc="$(command -v podman-compose)"
    elif [[ -x "$SN_REPO_ROOT/.venv/bin/podman-compose" ]]; then
        pc="$SN_REPO_ROOT/.venv/bin/podman-compose"
    elif [[ -x "${XDG_CACHE_HOME:-$HOME/.cache}/socialnet/tools/bin/podman-compose" ]]; then
        pc="${XDG_CACHE_HOME:-$HOME/.cache}/socialnet/tools/bin/podman-compose"
    elif [[ $install -eq 1 ]]; then
        local venv="$SN_REPO_ROOT/.venv"
        if [[ ! -x "$venv/bin/pip" ]]; then
            venv="${XDG_CACHE_HOME:-$HOME/.cache}/socialnet/tools"
            python3 -m venv "$venv"
        fi
        sn_log "installing podman-compose into $venv (pip)"
        "$venv/bin/python" -m pip install --quiet podman-compose 2>&1 | grep -v 'is ignored' >&2 || true
        pc="$venv/bin/podman-compose"
        [[ -x "$pc" ]] || sn_die "pip could not install podman-compose"
    fi
    if [[ -n "$pc" ]]; then
        SN_COMPOSE=("$pc")
    elif podman compose version >/dev/null 2>&1; then
        SN_COMPOSE=(podman compose)
    else
        sn_die "podman-compose is not installed (pip install podman-compose)"
    fi
}

# Official base images, or local stand-ins when no image registry answers (podman
# only). SOCIALNET_STANDINS: auto (default), always, never.
sn_bases() {
    [[ "$SN_ENGINE" == podman ]] || return 0
    local mode="${SOCIALNET_STANDINS:-auto}"
    local why="SOCIALNET_STANDINS=$mode"
    if [[ "$mode" == auto ]]; then
        # One request to Docker Hub's API root: any HTTP answer means it is reachable.
        if curl -sS -m 5 -o /dev/null https://registry-1.docker.io/v2/ 2>/dev/null; then
            mode=never
        else
            mode=always why="no image registry answers"
        fi
    fi
    if [[ "$mode" == never ]]; then
        sn_note "base images: the official ones, pulled when missing"
        return 0
    fi
    sn_log "base images: local stand-ins ($why; built once, then reused)"
    local python="$SN_REPO_ROOT/.venv/bin/python"
    [[ -x "$python" ]] || python=python3
    bash "$SN_REPO_ROOT/containers/standins/standins.sh" --python "$python"
}

# Build secrets from the host's own package-registry settings, so that pip and npm
# inside a build reach the registries the host reaches (index, proxy, and the CA
# bundle of a TLS-intercepting proxy). Mounted for one RUN step, never in a layer.
sn_build_secrets() {
    sn_tmpdir
    SN_SECRET_ARGS=()
    local ca="" candidate
    for candidate in "${SOCIALNET_CA_BUNDLE:-}" "${PIP_CERT:-}" "${REQUESTS_CA_BUNDLE:-}" \
        "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt; do
        if [[ -n "$candidate" && -s "$candidate" ]]; then ca="$candidate"; break; fi
    done

    local pip_python="$SN_REPO_ROOT/.venv/bin/python"
    [[ -x "$pip_python" ]] || pip_python=python3
    {
        echo "[global]"
        [[ -n "$ca" ]] && echo "cert = /run/secrets/ca_bundle"
        # The host's effective pip settings that matter across the network; an
        # environment variable beats a file, as in pip. file:// indexes and
        # find-links are host paths, so they stay behind.
        "$pip_python" -m pip config list 2>/dev/null | awk -F= '
            {
                key = $1; val = substr($0, length($1) + 2); gsub(/^'\''|'\''$/, "", val)
                prio = (key ~ /^:env:/) ? 2 : 1
                sub(/^[^.]*\./, "", key)
                if (key == "default-timeout") key = "timeout"
                if (key !~ /^(index-url|extra-index-url|trusted-host|proxy|timeout|retries)$/) next
                if (key in p && p[key] > prio) next
                if (key ~ /index-url$/) {
                    n = split(val, urls, /[ \t]+/); val = ""
                    for (i = 1; i <= n; i++) if (urls[i] ~ /^https?:/) val = val (val == "" ? "" : " ") urls[i]
                    if (val == "") next
                }
                p[key] = prio; v[key] = val
            }
            END { for (k in v) print k " = " v[k] }'
    } >"$SN_TMP/pip.conf"

    {
        [[ -n "$ca" ]] && echo "cafile=/run/secrets/ca_bundle"
        if command -v npm >/dev/null 2>&1; then
            # One call (npm starts slowly): "key=value" lines; unset ones are null or empty.
            npm config get registry proxy https-proxy noproxy strict-ssl 2>/dev/null \
                | grep -E '^[a-z-]+=.' | grep -v -E '=(null|undefined)$' || true
        fi
    } >"$SN_TMP/npmrc"

    SN_SECRET_ARGS+=(--secret "id=pip_conf,src=$SN_TMP/pip.conf")
    SN_SECRET_ARGS+=(--secret "id=npmrc,src=$SN_TMP/npmrc")
    [[ -n "$ca" ]] && SN_SECRET_ARGS+=(--secret "id=ca_bundle,src=$ca")

    # Proxy variables: Docker's predefined build args (podman passes them itself).
    if [[ "$SN_ENGINE" == docker ]]; then
        local var
        for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
            [[ -n "${!var:-}" ]] && SN_SECRET_ARGS+=(--build-arg "$var=${!var}")
        done
    fi
    sn_note "build secrets: pip.conf, npmrc${ca:+, CA bundle $ca} (not stored in the images)"
}

# sn_build BACKEND_TAG FRONTEND_TAG [BACKEND_CACHE_TAG FRONTEND_CACHE_TAG]
# A cache tag also names each image, and CACHE_TAG-stage its build stage, so that
# removing the first tag later keeps the layers for the next build (untagged, a
# build stage would be left dangling at every change); the images those tags
# named before are removed when nothing else uses them.
sn_build() {
    local backend="$1" frontend="$2" backend_cache="${3:-}" frontend_cache="${4:-}"
    local flags=() started
    sn_build_secrets
    if [[ "$SN_ENGINE" == podman ]]; then
        # Docker format keeps the HEALTHCHECK (OCI drops it); never pull: the bases
        # are local (pulled or stand-ins) by now.
        flags=(--format docker --pull=never)
    fi
    local which tag cache stage old old_stage tags
    for which in backend frontend; do
        if [[ $which == backend ]]; then
            tag="$backend" cache="$backend_cache" stage=builder
        else
            tag="$frontend" cache="$frontend_cache" stage=build
        fi
        tags=(-t "$tag")
        old="" old_stage=""
        if [[ -n "$cache" ]]; then
            tags+=(-t "$cache")
            old="$(sn_image_id "$cache")"
            old_stage="$(sn_image_id "$cache-stage")"
        fi
        started=$SECONDS
        sn_log "building $tag ($SN_ENGINE build -f containers/$which.Dockerfile .)"
        "$SN_ENGINE" build ${flags[@]+"${flags[@]}"} "${SN_SECRET_ARGS[@]}" "${tags[@]}" \
            -f "$SN_REPO_ROOT/containers/$which.Dockerfile" "$SN_REPO_ROOT"
        if [[ -n "$cache" ]]; then
            # Every layer of the stage comes from the cache of the build just done.
            "$SN_ENGINE" build ${flags[@]+"${flags[@]}"} "${SN_SECRET_ARGS[@]}" --quiet \
                --target "$stage" -t "$cache-stage" \
                -f "$SN_REPO_ROOT/containers/$which.Dockerfile" "$SN_REPO_ROOT" >/dev/null
            sn_drop_replaced "$old" "$cache"
            sn_drop_replaced "$old_stage" "$cache-stage"
        fi
        sn_note "$which image built in $((SECONDS - started)) s"
    done
}

sn_image_id() { "$SN_ENGINE" image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# sn_drop_replaced OLD_ID TAG: remove OLD_ID if TAG now names another image and
# nothing else (a tag, a container, a child image) uses it.
sn_drop_replaced() {
    if [[ -n "$1" && "$1" != "$(sn_image_id "$2")" ]]; then
        "$SN_ENGINE" rmi "$1" >/dev/null 2>&1 || true
    fi
}

# sn_container PROJECT SERVICE: the id of that service's container.
sn_container() {
    "$SN_ENGINE" ps -a -q --filter "label=com.docker.compose.project=$1" \
        --filter "label=com.docker.compose.service=$2" | head -n 1
}

# sn_wait_healthy PROJECT SERVICE TIMEOUT: until the container's healthcheck
# passes. podman without systemd runs no healthcheck timers, so the check is run
# here (`podman healthcheck run`, which also records the status).
sn_wait_healthy() {
    local project="$1" service="$2" timeout="$3" id state deadline=$((SECONDS + $3))
    while true; do
        id="$(sn_container "$project" "$service")"
        if [[ -n "$id" ]]; then
            state="$("$SN_ENGINE" inspect --format '{{.State.Status}}' "$id" 2>/dev/null || true)"
            if [[ "$state" == exited || "$state" == dead ]]; then
                "$SN_ENGINE" logs --tail 40 "$id" >&2 || true
                sn_die "$service exited before it was healthy (logs above)"
            fi
            if [[ "$SN_ENGINE" == podman ]]; then
                if [[ "$state" == running ]] && podman healthcheck run "$id" >/dev/null 2>&1; then
                    return 0
                fi
            elif [[ "$("$SN_ENGINE" inspect --format '{{.State.Health.Status}}' "$id" 2>/dev/null)" == healthy ]]; then
                return 0
            fi
        fi
        if [[ $SECONDS -ge $deadline ]]; then
            [[ -n "$id" ]] && { "$SN_ENGINE" logs --tail 40 "$id" >&2 || true; }
            sn_die "$service not healthy after ${timeout} s"
        fi
        sleep 1
    done
}

# sn_up PROJECT: start postgres, then the backend once the database is healthy,
# then the frontend once the backend is: what compose's depends_on says, done
# here one service at a time because podman-compose before podman 4.6 ignores
# `condition: service_healthy` (and the same steps work with every docker
# compose). The images must exist. SN_RECREATE=1: replace running backend and
# frontend containers (podman-compose does not notice a rebuilt image).
sn_up() {
    local project="$1" service started extra
    sn_tmpdir
    for service in postgres backend frontend; do
        started=$SECONDS
        extra=()
        [[ "${SN_RECREATE:-0}" == 1 && $service != postgres ]] && extra=(--force-recreate)
        sn_log "starting $service (${SN_COMPOSE[*]} -p $project up -d --no-deps ${extra[*]:+${extra[*]} }$service)"
        sn_quiet_podman "${SN_COMPOSE[@]}" -p "$project" -f "$SN_COMPOSE_FILE" \
            up -d --no-build --no-deps ${extra[@]+"${extra[@]}"} "$service" \
            >"$SN_TMP/compose-up.log" 2>&1 \
            || { cat "$SN_TMP/compose-up.log" >&2; sn_die "could not start $service"; }
        sn_wait_healthy "$project" "$service" 120
        sn_note "$service healthy after $((SECONDS - started)) s"
    done
}

# sn_down PROJECT [--volumes]: stop and remove the project's containers and
# network (and its volumes with --volumes), then anything left by label.
sn_down() {
    local project="$1" volumes="${2:-}" args=(down) ids mounted=""
    [[ "$volumes" == --volumes ]] && args+=(-v)
    sn_tmpdir
    # Every volume the project's containers mount, named or anonymous.
    ids="$("$SN_ENGINE" ps -a -q --filter "label=com.docker.compose.project=$project")"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086
        mounted="$("$SN_ENGINE" inspect --format '{{range .Mounts}}{{if .Name}}{{.Name}} {{end}}{{end}}' $ids 2>/dev/null || true)"
    fi
    if [[ "$SN_ENGINE" == podman ]]; then
        sn_quiet_podman "${SN_COMPOSE[@]}" -p "$project" -f "$SN_COMPOSE_FILE" "${args[@]}" \
            >"$SN_TMP/compose-down.log" 2>&1 || cat "$SN_TMP/compose-down.log" >&2
    else
        "${SN_COMPOSE[@]}" -p "$project" -f "$SN_COMPOSE_FILE" "${args[@]}" --remove-orphans || true
    fi
    ids="$("$SN_ENGINE" ps -a -q --filter "label=com.docker.compose.project=$project")"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086
        sn_quiet_podman "$SN_ENGINE" rm -f $ids >/dev/null 2>&1 || true
    fi
    SN_DOWN_VOLUMES=""
    if [[ "$volumes" == --volumes ]]; then
        local volume
        SN_DOWN_VOLUMES="$("$SN_ENGINE" volume ls -q --filter "label=com.docker.compose.project=$project") $mounted"
        for volume in $SN_DOWN_VOLUMES; do
            "$SN_ENGINE" volume rm -f "$volume" >/dev/null 2>&1 || true
        done
    fi
    ids="$("$SN_ENGINE" network ls -q --filter "label=com.docker.compose.project=$project")"
    # shellcheck disable=SC2086
    [[ -z "$ids" ]] || "$SN_ENGINE" network rm -f $ids >/dev/null 2>&1 || true
}
