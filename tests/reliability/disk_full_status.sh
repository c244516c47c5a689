#!/usr/bin/env bash
# Whatever the room left on the disk, a run's /meta status matches its exit
# code: exit 0 and `complete`, or a non-zero exit and not `complete`. On an
# almost full disk the run used to exit 4 ("disk full") with a file already
# marked complete: the status was written before the last room check, which
# demanded 1 MiB even when nothing was left to write (solvers/io/h5out.c,
# close_status). The run is repeated on tmpfs disks from 500 kB to 1.7 MB, so
# that the disk fills at every stage of it: the header, the steps, the end.
# A run that fails to start leaves no file (it used to leave a 96-byte stub
# h5py cannot open, and the rerun then needed --force), and nothing else in
# the directory (the new file's temporary name, OUT.tmp.<pid>).
# Needs root to mount a tmpfs (skipped with 77 otherwise).
# Usage: disk_full_status.sh CARTSIM CONFIG PYTHON [RANKS]
set -u
cartsim=$1 config=$2 python=$3 ranks=${4:-1}
launch=()
[ "$ranks" -gt 1 ] && launch=(timeout 100 mpirun --oversubscribe -n "$ranks")
dir=$(mktemp -d)
trap 'umount "$dir" 2>/dev/null; rmdir "$dir"' EXIT
mount -t tmpfs -o size=500k tmpfs "$dir" 2>/dev/null || { echo "disk_full_status: cannot mount a tmpfs here (not root?)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
fail=0 seen0=0 seen4=0
for kb in $(seq 500 50 1700); do
  mount -o remount,size=${kb}k "$dir" || { echo "FAIL: cannot resize the tmpfs"; exit 1; }
  rm -f "$dir"/*
  err=$("${launch[@]}" "$cartsim" run "$config" -o "$dir/r.h5" --quiet --set run.t_end=100 2>&1)
  code=$?
  status="(no file)"
  [ -e "$dir/r.h5" ] && status=$("$python" -c '
import sys, h5py
try:
    with h5py.File(sys.argv[1], "r", locking=False) as f:
        print(f["meta"].attrs["status"])
except OSError as e:
    print(f"unreadable ({e})")' "$dir/r.h5")
  echo "${kb} kB: exit $code, status $status"
  left=$(ls -A "$dir" | grep -v '^r\.h5$')
  [ -z "$left" ] || { echo "FAIL: left in the directory: $left"; fail=1; }
  case "$code:$status" in
    0:complete) seen0=1 ;;
    0:*) echo "FAIL: exit 0 but status $status"; fail=1 ;;
    *:complete) echo "FAIL: exit $code ($err) but the file is marked complete"; fail=1 ;;
    *:unreadable*) echo "FAIL: a failed run left a file h5py cannot open: $status"; fail=1 ;;
    4:*) seen4=1 ;;
    *) echo "FAIL: exit $code, expected 0 or 4: $err"; fail=1 ;;
  esac
done
[ $seen0 = 1 ] && [ $seen4 = 1 ] || { echo "FAIL: the sizes no longer span a full and a roomy disk"; fail=1; }
[ $fail = 0 ] && echo "ok: the status matches the exit code on every disk size"
exit $fail
