#!/usr/bin/env bash
# Installs the Debian packages cartsim needs, only those that are missing.
#   scripts/install-deps.sh [demo|test]
# demo: what building and running cartsim, the demo and the explorer need;
# test (the default): also the test tools (valgrind, clang's sanitizer runtime,
# qemu-user: clones_bitwise runs cartsim on an emulated CPU without AVX).
# As root it runs apt-get; otherwise it prints the apt-get line to run and
# exits 1 if anything is missing. Idempotent: a second run installs nothing.
set -euo pipefail

what=${1:-test}
case "$what" in
  demo|test) ;;
  *) echo "usage: scripts/install-deps.sh [demo|test]" >&2; exit 2 ;;
esac
PACKAGES=(
  cmake make gcc pkg-config git
  libsundials-dev libhdf5-openmpi-dev libopenmpi-dev openmpi-bin libyaml-dev libhypre-dev libgsl-dev
  python3 python3-h5py python3-matplotlib python3-numpy python3-scipy python3-pil python3-yaml python3-plotly
)
[ "$what" = test ] && PACKAGES+=(valgrind clang libclang-rt-14-dev qemu-user)
# The classroom explorer's browser test (tests/explorer) needs Chromium and node/npm:
# installed when CI=true or CARTSIM_BROWSER_TESTS=1.
if [ "$what" = test ] && { [ "${CI:-}" = true ] || [ "${CARTSIM_BROWSER_TESTS:-0}" = 1 ]; }; then
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
  echo "install-deps: all ${#PACKAGES[@]} Debian packages for '$what' are present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root; run this as root:"
  echo "  sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends ${missing[*]}'"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} packages"
