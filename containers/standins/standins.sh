#!/usr/bin/env bash
# Local STAND-INS for the official base images that the socialnet Dockerfiles and
# compose.yaml name, for a podman host that reaches no image registry (such as the
# Debian 12 machines this project is developed and checked on). They are built
# here, from Debian packages and the host's own Node.js, and tagged with the same
# names as the official images, so that the Dockerfiles stay exactly what a Docker
# user builds. They are NOT the official images: see containers/README.md.
#
#   debian:bookworm-slim        debootstrap --variant=minbase bookworm from the host's
#                               Debian mirror, trimmed like the official slim images
#   python:3.11-slim-bookworm   + Debian's python3.11 and python3.11-venv (3.11.2)
#   node:20-bookworm-slim       + the host's own Node.js 20 and npm, copied in
#   nginx:1.27-bookworm         + Debian's nginx (1.22) and curl, laid out like the
#                               official image (user nginx uid 101, logs to stdout)
#   postgres:16-bookworm        + PostgreSQL 16 binaries from the pgserver wheel (the
#                               same build the project's embedded Postgres runs), with
#                               the official image's entrypoint contract
#
# Each one is reused while it exists and its recipe is unchanged (the label
# org.socialnet.standin.key, a hash of its recipe and base), so only the first run
# pays (about 2 minutes). --force rebuilds them all. Every stand-in carries the
# label org.socialnet.standin=<name>, and so does an image built on one.
#
# Usage: containers/standins/standins.sh [--force] [--python PYTHON]
#   PYTHON: an interpreter that can `import pgserver` (default: the project's .venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"

force=0
python=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --python) python="$2"; shift ;;
        -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "standins: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

podman="${PODMAN:-podman}"
label=org.socialnet.standin
say() { printf '    [stand-in] %s\n' "$*"; }

work="$(mktemp -d "${TMPDIR:-/var/tmp}/socialnet-standins.XXXXXX")"
# Anything still mounted under the work directory (debootstrap mounts /proc, /sys
# and maybe the host's /dev into the new root, and leaves them when it fails).
mounted_under() { awk -v dir="$1/" 'index($2, dir) == 1 { print $2 }' /proc/mounts; }
cleanup() {
    local m
    for m in $(mounted_under "$work" | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    if [[ -n "$(mounted_under "$work")" ]]; then
        echo "standins: still mounted under $work, not removing it" >&2
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT

# A stand-in is reused while the key it was built with (a hash of its recipe and
# of what it was built from) is unchanged; `podman image exists` first, so the
# common case costs one call per image.
key_label=org.socialnet.standin.key
key_of() {  # name, then strings or files that make up the recipe
    local name="$1" part
    shift
    {
        echo "$name"
        for part in "$@"; do
            if [[ -f "$part" ]]; then cat "$part"; else printf '%s\n' "$part"; fi
        done
    } | sha256sum | cut -c1-16
}
fresh() {  # name key: the image exists and was built with this key
    [[ $force -eq 0 ]] && "$podman" image exists "docker.io/library/$1" \
        && [[ "$("$podman" image inspect --format "{{index .Labels \"$key_label\"}}" \
            "docker.io/library/$1" 2>/dev/null)" == "$2" ]]
}
image_id() { "$podman" image inspect --format '{{.Id}}' "docker.io/library/$1"; }

# Build secrets for the stand-ins' apt: the host CA bundle, in case the Debian
# mirror is reached over HTTPS through a TLS-intercepting proxy. Never baked in.
secret_args=()
ca_bundle=""
for candidate in "${SOCIALNET_CA_BUNDLE:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}" \
    /etc/ssl/certs/ca-certificates.crt; do
    if [[ -n "$candidate" && -s "$candidate" ]]; then ca_bundle="$candidate"; break; fi
done
if [[ -n "$ca_bundle" ]]; then
    secret_args=(--secret "id=ca_bundle,src=$ca_bundle")
fi

# The image a rebuilt stand-in replaces: removed when nothing is built on it.
drop_old() {  # old image id
    [[ -z "$1" ]] || "$podman" rmi "$1" >/dev/null 2>&1 || true
}

build_standin() {  # name key containerfile context
    local name="$1" key="$2" file="$3" context="$4" started=$SECONDS old
    old="$(image_id "$name" 2>/dev/null || true)"
    say "building $name (podman build -f ${file#"$repo_root"/})"
    if ! "$podman" build --quiet --pull=never --format docker ${secret_args[@]+"${secret_args[@]}"} \
        --label "$label=$name" --label "$key_label=$key" \
        -f "$file" -t "docker.io/library/$name" "$context" >"$work/build.log" 2>&1; then
        cat "$work/build.log" >&2
        echo "standins: building $name failed" >&2
        return 1
    fi
    drop_old "$old"
    say "$name ready ($((SECONDS - started)) s)"
}

# The host's Debian mirror for bookworm (and its security mirror), read from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*, one-line or deb822 format.
debian_mirrors() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        case "$f" in
            *.sources)  # deb822 stanzas: Types / URIs / Suites
                awk '
                    function emit(   u, s, nu, ns, i, j) {
                        if (types !~ /(^| )deb( |$)/) return
                        nu = split(uris, u, " "); ns = split(suites, s, " ")
                        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print s[j], u[i]
                    }
                    /^[ \t]*$/ { emit(); types = uris = suites = ""; next }
                    /^Types:/  { sub(/^Types:[ \t]*/, "");  types = $0 }
                    /^URIs:/   { sub(/^URIs:[ \t]*/, "");   uris = $0 }
                    /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
                    END { emit() }
                ' "$f" ;;
            *)  # one-line: deb [options] URI suite components...
                awk '/^deb[ \t]/ { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $(i + 1), $i }' "$f" ;;
        esac
    done | awk '$1 ~ /^bookworm(-security|-updates)?$/ && $2 ~ /^https?:\/\//'
}

make_debian() {  # key
    local name=debian:bookworm-slim key="$1" started=$SECONDS mirror security rootfs="$work/rootfs" old
    old="$(image_id "$name" 2>/dev/null || true)"
    mirror="$(debian_mirrors | awk '$1 == "bookworm" { print $2; exit }')"
    security="$(debian_mirrors | awk '$1 == "bookworm-security" { print $2; exit }')"
    mirror="${SOCIALNET_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}"
    security="${security:-${mirror%/debian}/debian-security}"
    mirror="${mirror%/}"
    security="${security%/}"
    say "building $name: debootstrap --variant=minbase bookworm from $mirror"
    if ! debootstrap --variant=minbase --components=main bookworm "$rootfs" "$mirror" \
        >"$work/debootstrap.log" 2>&1; then
        tail -n 30 "$work/debootstrap.log" >&2
        echo "standins: debootstrap failed (log above)" >&2
        return 1
    fi

    if [[ -n "$(mounted_under "$rootfs")" ]]; then
        echo "standins: debootstrap left mounts under $rootfs; not trimming it" >&2
        return 1
    fi

    # Trim like the official slim images (debuerreotype's slimify and minimizing
    # config): no docs, man pages, locales; apt keeps no caches or translations.
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "${rootfs:?}"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod 755 "$rootfs/usr/sbin/policy-rc.d"
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/cache/apt/* "${rootfs:?}"/var/cache/debconf/*-old \
        "${rootfs:?}"/var/lib/dpkg/*-old "${rootfs:?}"/var/log/* "${rootfs:?}"/tmp/* "${rootfs:?}"/var/tmp/* \
        "${rootfs:?}"/dev/* "${rootfs:?}"/root/.bash_history
    mkdir -p "$rootfs/var/lib/apt/lists/partial" "$rootfs/var/cache/apt/archives/partial"
    # Host identity stays out: the engine provides these at run time.
    : >"$rootfs/etc/resolv.conf"
    : >"$rootfs/etc/hostname"
    : >"$rootfs/etc/machine-id"

    tar --numeric-owner --xattrs -C "$rootfs" -c . | "$podman" import --quiet \
        --change 'CMD ["bash"]' \
        --change "LABEL $label=$name" \
        --change "LABEL $key_label=$key" \
        --message "socialnet stand-in for $name (debootstrap minbase bookworm)" \
        - "docker.io/library/$name" >/dev/null
    rm -rf --one-file-system "${rootfs:?}"
    drop_old "$old"
    say "$name ready ($((SECONDS - started)) s)"
}

make_node() {
    local name=node:20-bookworm-slim node npm_root version npm_version key ctx="$work/node"
    node="$(command -v node || true)"
    if [[ -z "$node" ]]; then
        echo "standins: $name needs the host's Node.js 20 (node not found)" >&2
        return 1
    fi
    node="$(readlink -f "$node")"
    version="$("$node" --version)"
    if [[ "$version" != v20.* ]]; then
        echo "standins: $name needs Node.js 20 on the host, found $version" >&2
        return 1
    fi
    npm_root="$(dirname "$(dirname "$node")")/lib/node_modules/npm"
    [[ -f "$npm_root/bin/npm-cli.js" ]] || npm_root="$(npm root -g 2>/dev/null)/npm"
    if [[ ! -f "$npm_root/bin/npm-cli.js" ]]; then
        echo "standins: $name: the host's npm was not found next to $node" >&2
        return 1
    fi
    npm_version="$("$node" "$npm_root/bin/npm-cli.js" --version 2>/dev/null)"
    key="$(key_of "$name" "$(image_id debian:bookworm-slim)" "$here/node.Containerfile" "$version" "$npm_version")"
    fresh "$name" "$key" && return 0
    mkdir -p "$ctx"
    cp "$node" "$ctx/node"
    cp -a "$npm_root" "$ctx/npm"
    say "node stand-in: host Node.js $version, npm $npm_version"
    build_standin "$name" "$key" "$here/node.Containerfile" "$ctx"
}

make_postgres() {
    local name=postgres:16-bookworm py pkg version key ctx="$work/postgres"
    py="${python:-$repo_root/.venv/bin/python}"
    if ! pkg="$("$py" -c 'import os, pgserver; print(os.path.dirname(pgserver.__file__))' 2>/dev/null)"; then
        echo "standins: $name takes PostgreSQL 16 from the pgserver wheel; $py cannot import pgserver" >&2
        echo "          (run 'make install' first, or pass --python)" >&2
        return 1
    fi
    version="$("$pkg/pginstall/bin/postgres" --version)"
    key="$(key_of "$name" "$(image_id debian:bookworm-slim)" "$here/postgres.Containerfile" \
        "$here/postgres-entrypoint.sh" "$version")"
    fresh "$name" "$key" && return 0
    mkdir -p "$ctx/pgserver/pgserver/pginstall"
    cp -a "$pkg/pginstall/bin" "$pkg/pginstall/share" "$ctx/pgserver/pgserver/pginstall/"
    mkdir -p "$ctx/pgserver/pgserver/pginstall/lib"
    cp -a "$pkg/pginstall/lib/postgresql" "$ctx/pgserver/pgserver/pginstall/lib/"
    cp -a "$pkg/pginstall/lib/"*.so* "$ctx/pgserver/pgserver/pginstall/lib/"
    # The binaries find libpq through RPATH $ORIGIN/../../../pgserver.libs.
    cp -a "$pkg/../pgserver.libs" "$ctx/pgserver/pgserver.libs"
    cp "$here/postgres-entrypoint.sh" "$ctx/docker-entrypoint.sh"
    say "postgres stand-in: $version from $pkg"
    build_standin "$name" "$key" "$here/postgres.Containerfile" "$ctx"
}

simple_standin() {  # name containerfile: FROM the debian stand-in, context containers/standins
    local key
    key="$(key_of "$1" "$(image_id debian:bookworm-slim)" "$2")"
    fresh "$1" "$key" || build_standin "$1" "$key" "$2" "$here"
}

total=$SECONDS
debian_key="$(key_of debian:bookworm-slim "$(declare -f make_debian debian_mirrors)" "$(debian_mirrors)")"
fresh debian:bookworm-slim "$debian_key" || make_debian "$debian_key"
simple_standin python:3.11-slim-bookworm "$here/python.Containerfile"
make_node
simple_standin nginx:1.27-bookworm "$here/nginx.Containerfile"
make_postgres
say "base images ready ($((SECONDS - total)) s)"
