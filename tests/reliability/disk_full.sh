#!/usr/bin/env bash
# A full disk during a run: exit 4, one line naming the file and the free space,
# and the output not marked complete. On 2 ranks this once hung: parallel HDF5's
# collective flush diverges between ranks when a write fails (solvers/io/room.h).
# Needs root to mount a small tmpfs (skipped with 77 otherwise).
# With SHIM (roomy_statvfs.so, one rank) the room check is fooled, as by a quota,
# and HDF5's own failed write is the path taken.
# Usage: disk_full.sh CARTSIM CONFIG [RANKS [SHIM]]
set -u
cartsim=$1 config=$2 ranks=${3:-1} shim=${4:-}
launch=()
[ "$ranks" -gt 1 ] && launch=(timeout 100 mpirun --oversubscribe -n "$ranks")
[ -n "$shim" ] && launch=(env LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0")
dir=$(mktemp -d)
trap 'umount "$dir" 2>/dev/null; rmdir "$dir"' EXIT
mount -t tmpfs -o size=300k tmpfs "$dir" 2>/dev/null || { echo "disk_full: cannot mount a tmpfs here (not root?)"; exit 77; }
err=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "${launch[@]}" "$cartsim" run "$config" -o "$dir/x.h5" --quiet \
      --set run.t_end=200 --set output.compress=0 2>&1)
code=$?
echo "$err"
[ "$code" -eq 4 ] || { echo "FAIL: exit $code, expected 4 (124: the job hung)"; exit 1; }
# one line from cartsim (Open MPI's own I/O layer may add its lines about the failed write)
[ "$(printf '%s\n' "$err" | grep -c '^cartsim: error:')" -eq 1 ] || { echo "FAIL: not one cartsim error line"; exit 1; }
printf '%s' "$err" | grep '^cartsim: error:' | grep -q "$dir/x.h5" || { echo "FAIL: the message does not name the file"; exit 1; }
printf '%s' "$err" | grep -q "disk full" || { echo "FAIL: the message does not say disk full"; exit 1; }
if h5dump -a /meta/status "$dir/x.h5" 2>/dev/null | grep -q '"complete"'; then echo "FAIL: marked complete"; exit 1; fi
echo "ok: disk full reported, exit 4"
