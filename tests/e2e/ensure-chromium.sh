#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing, and a colour emoji font
# (the pages show emoji; without one they are empty boxes in the gallery's screenshots and the
# emoji picker hides those it cannot draw). Needs root or sudo when something is missing.
set -euo pipefail
browser="${SOCIALNET_CHROMIUM:-/usr/bin/chromium}"
missing=()
if [[ ! -x "$browser" ]]; then
    missing+=(chromium)
fi
if ! dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "ok installed"; then
    missing+=(fonts-noto-color-emoji)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
echo "installing ${missing[*]} (Debian packages) for the browser tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
"$browser" --version
