#!/usr/bin/env bash
# The machine set-up `npm test` needs beyond `npm install`: the Debian packages of the wasm toolchain
# and of the real components the tests start. As root it installs what is missing (as CI does);
# otherwise it prints the one `sudo apt-get install` line and fails, before any test runs.
set -euo pipefail

# rustc 1.63 + wasm32 std + lld build the decoder (wabt validates it); dbus + python3-dbusmock +
# python3-gi emulate BlueZ and the headset's GATT; socat makes the ptys of the RFCOMM tests; openssl
# makes the TLS tests' throw-away certificates; python3-mne reads our BDF/EDF back; chromium is the
# browser the dashboard tests drive; mosquitto is the MQTT broker of test/mqtt; iproute2 (ip) and
# util-linux (unshare) make the loopback-only network namespace the suites run in (test/netns.sh)
APT_PACKAGES=(rustc cargo libstd-rust-dev-wasm32 lld dbus python3-dbusmock python3-gi socat openssl python3-mne chromium wabt mosquitto iproute2 util-linux)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "npm test needs Debian packages that are not installed; run this once, then npm test again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/bun ] || [ ! -x node_modules/.bin/deno ]; then
  echo "npm test needs the npm packages (Bun and Deno come from npm): run npm install first" >&2
  exit 1
fi
