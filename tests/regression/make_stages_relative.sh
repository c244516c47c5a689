#!/usr/bin/env bash
# scripts/make-stages.sh with a relative DIR and CARTSIM, as a user types them:
# both are taken from the directory it is run in (the script works in the
# repository, where they once landed); a second run keeps the states and
# says so (exit 0). Usage: make_stages_relative.sh CARTSIM
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$1" "$work/cartsim"
cd "$work"
export HDF5_USE_FILE_LOCKING=FALSE
CARTSIM=./cartsim "$repo/scripts/make-stages.sh" st || { echo "FAIL: make-stages.sh exited $?"; exit 1; }
for f in history early moderate late; do
  [ -f "$work/st/$f.h5" ] || { echo "FAIL: no $work/st/$f.h5"; exit 1; }
done
[ ! -e "$repo/st" ] || { echo "FAIL: the states went to $repo/st"; exit 1; }
out=$(CARTSIM=./cartsim "$repo/scripts/make-stages.sh" st) || { echo "FAIL: the second run exited $?"; exit 1; }
printf '%s\n' "$out" | grep -q "already in" || { echo "FAIL: the second run did not keep the states: $out"; exit 1; }
echo "ok: states in the caller's st/, kept on the second run"
