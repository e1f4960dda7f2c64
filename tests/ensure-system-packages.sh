#!/usr/bin/env bash
# Installs the Debian packages the server suite runs for real, when missing (needs root or sudo):
#   redis-server (and redis-tools' redis-cli)  the Redis engine of the bus: one Redis and a
#                                              three-node Redis Cluster, started by the tests
#   nginx-light                                the load balancer of the many-hosts test
#   iproute2                                   `ip netns`, veth pairs and a bridge: its hosts
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v ip >/dev/null || [[ -x /usr/sbin/ip ]] || missing+=(iproute2)
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
echo "installing ${missing[*]} (Debian packages) for the server suite..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
