#!/usr/bin/env bash
# Installs and configures rootful podman on Debian for `make images` and `make container-test`, as root:
# podman with runc, netavark and aardvark-dns (so that compose services find each other by name), and
# mmdebstrap (to build the base image where no registry can be reached).
#
# It writes /etc/containers/containers.conf.d/pygym.conf:
# - runtime "runc" and explicit default ulimits: podman otherwise asks for 1048576 open files, above the
#   hard limit of machines like ours, and runc then cannot start any container ("error setting rlimits");
# - network_backend "netavark": the CNI backend of Debian's podman 4.3 has no DNS between containers.
#   Networks made earlier with CNI are not seen by netavark; recreate them if this machine had any.
set -euo pipefail

[[ $(id -u) == 0 ]] || { echo "error: run as root (it installs packages with apt-get)" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "error: apt-get not found; this script is for Debian and Ubuntu" >&2; exit 1; }

packages=(podman runc netavark aardvark-dns mmdebstrap)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# The limits asked for, capped at this machine's hard limits.
cap() {
    local want=$1 hard=$2
    if [[ $hard == unlimited ]] || ((hard > want)); then echo "$want"; else echo "$hard"; fi
}
nofile=$(cap 20000 "$(ulimit -Hn)")
nproc=$(cap 4096 "$(ulimit -Hu)")

conf=/etc/containers/containers.conf.d/pygym.conf
mkdir -p "$(dirname "$conf")"
cat >"$conf" <<EOF
# Written by docker/install-podman.sh (pygym): see that script for why.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_backend = "netavark"

[engine]
runtime = "runc"
EOF
# A bridge left by the CNI backend holds the same subnet as netavark's podman0 and swallows the traffic
# of published ports; it is removed when no container uses it.
if ip link show cni-podman0 >/dev/null 2>&1 && [[ -z $(ip link show master cni-podman0) ]]; then
    ip link delete cni-podman0
    echo "removed the unused CNI bridge cni-podman0 (it shadowed netavark's podman0)"
fi
echo "podman $(podman version --format '{{.Client.Version}}') ready: runc, netavark, ulimits nofile=$nofile nproc=$nproc ($conf)"
