#!/usr/bin/env bash
# Installs the Debian packages cartsim needs, only those that are missing.
# As root it runs apt-get; otherwise it prints the apt-get line to run and
# exits 1 if anything is missing. Idempotent: a second run installs nothing.
set -euo pipefail

PACKAGES=(
  cmake make gcc pkg-config git
  libsundials-dev libhdf5-openmpi-dev libopenmpi-dev openmpi-bin libyaml-dev libhypre-dev libgsl-dev
  python3 python3-h5py python3-matplotlib python3-numpy python3-scipy python3-pil python3-yaml
  valgrind clang libclang-rt-14-dev python3-plotly
)
# The classroom explorer's browser test (tests/explorer) needs Chromium and node/npm:
# installed when CI=true or CARTSIM_BROWSER_TESTS=1.
if [ "${CI:-}" = true ] || [ "${CARTSIM_BROWSER_TESTS:-0}" = 1 ]; then
  PACKAGES+=(chromium)
  command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages are present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root; run this as root (or with sudo):"
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} packages"
