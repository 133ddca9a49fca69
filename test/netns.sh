#!/usr/bin/env bash
# Runs a command in a network namespace holding only loopback, with multicast routed to lo, so LSL
# discovery (multicast and broadcast datagrams) never leaves the machine: `bash test/netns.sh CMD…`.
# Needs root (CI runs as root); inside such a namespace already (MW75_NETNS=1) it just runs CMD.
set -euo pipefail
if [ $# -eq 0 ]; then echo "usage: bash test/netns.sh COMMAND [ARGS…]" >&2; exit 2; fi
if [ "${MW75_NETNS:-}" = 1 ]; then exec "$@"; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test/netns.sh: making a network namespace needs root (unshare --net); run as root or with sudo" >&2
  exit 1
fi
for tool in unshare ip; do # util-linux and iproute2: a slim Debian image may lack iproute2
  if ! command -v "$tool" >/dev/null; then
    echo "test/netns.sh: needs $tool (apt-get install -y util-linux iproute2)" >&2
    exit 1
  fi
done
exec unshare --net bash -c '
  set -e
  ip link set lo up
  ip link set lo multicast on
  ip route add 224.0.0.0/4 dev lo
  export MW75_NETNS=1
  exec "$@"' netns "$@"
