#!/usr/bin/env bash
# Builds decoder-rs to wasm/decoder.wasm with Debian's rustc 1.63 (the toolchain that has the
# wasm32 std here). With --check, builds a copy in a temporary directory and fails if the bytes
# differ from the committed wasm/decoder.wasm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rustc_bin=${RUSTC_WASM:-/usr/bin/rustc}
cargo_bin=${CARGO_WASM:-/usr/bin/cargo}

for tool in "$rustc_bin" "$cargo_bin" /usr/bin/rust-lld; do
  [ -x "$tool" ] || { echo "wasm build: $tool is missing (apt-get install -y rustc cargo libstd-rust-dev-wasm32 lld)" >&2; exit 1; }
done

build() { # $1 = crate dir, $2 = output file
  local target_dir
  target_dir=$(mktemp -d)
  # path remapping keeps the build directory out of the module, so any checkout builds the same bytes;
  # a 64 KiB stack (the default is 1 MiB) keeps each device's decoder instance at 0.25 MB of
  # memory (most of it never touched): the decoder keeps its buffers in static memory and never
  # recurses
  RUSTC="$rustc_bin" CARGO_TARGET_DIR="$target_dir" \
    RUSTFLAGS="-C target-feature=+simd128 -C link-arg=-zstack-size=65536 --remap-path-prefix=$1=decoder-rs --remap-path-prefix=$HOME=~" \
    "$cargo_bin" build --quiet --release --offline --target wasm32-unknown-unknown \
    --manifest-path "$1/Cargo.toml"
  cp "$target_dir/wasm32-unknown-unknown/release/mw75_decoder.wasm" "$2"
  rm -rf "$target_dir"
}

if [ "${1:-}" = "--check" ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  cp -r "$root/decoder-rs" "$scratch/decoder-rs"
  rm -rf "$scratch/decoder-rs/target"
  build "$scratch/decoder-rs" "$scratch/decoder.wasm"
  if cmp -s "$scratch/decoder.wasm" "$here/decoder.wasm"; then
    echo "wasm check: wasm/decoder.wasm matches a fresh build ($(wc -c <"$here/decoder.wasm") bytes)"
  else
    echo "wasm check: wasm/decoder.wasm differs from a fresh build of decoder-rs; run: npm run wasm:build" >&2
    exit 1
  fi
else
  build "$root/decoder-rs" "$here/decoder.wasm"
  echo "wasm build: wrote wasm/decoder.wasm ($(wc -c <"$here/decoder.wasm") bytes)"
fi
