#!/usr/bin/env bash
# A sweep that fills its disk: the row that cannot be written is not recorded
# failed but stays pending, the sweep stops with exit 4 and one line naming the
# row and the full disk, no partial file is left; with space again, the same
# command finishes the sweep, reusing the rows done. On RANKS ranks (1 or 2).
# HDF5 1.10 keeps a stale id after failing to close a file on a full disk;
# before this was handled the next row's close crashed (SIGSEGV).
# With SHIM (roomy_statvfs.so) the room check (solvers/io/room.h) is fooled and
# HDF5's own failed writes are met: the path of that crash.
# Needs root to mount a small tmpfs (skipped with 77 otherwise).
# Usage: disk_full_sweep.sh CARTSIM REFERENCE_CONFIG RANKS [SHIM]
set -u
cartsim=$1 config=$2 ranks=$3 shim=${4:-}
work=$(mktemp -d)
disk="$work/disk"
mkdir "$disk"
trap 'umount "$disk" 2>/dev/null; rm -rf "$work"' EXIT
mount -t tmpfs -o size=2500k tmpfs "$disk" 2>/dev/null || { echo "disk_full_sweep: cannot mount a tmpfs (not root?)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
launch=()
[ "$ranks" -gt 1 ] && launch=(mpirun --oversubscribe -n "$ranks")
first=("${launch[@]}") # the run that fills the disk; the resumed one sees the real free space
[ -n "$shim" ] && first=(env LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0")
cat > "$work/s.yaml" <<EOF
base: $config
seed: 1
set:
  run.t_end: 400
  output.compress: 0
design:
  type: list
  rows: [{model.k_c: 0.014}, {model.k_c: 0.015}, {model.k_c: 0.016}, {model.k_c: 0.017}, {model.k_c: 0.018},
         {model.k_c: 0.019}, {model.k_c: 0.020}, {model.k_c: 0.021}, {model.k_c: 0.022}, {model.k_c: 0.023}]
EOF
out="$disk/sweep"
err=$("${first[@]}" "$cartsim" sweep "$work/s.yaml" -o "$out" --quiet 2>&1)
code=$?
echo "$err"
[ "$code" -eq 4 ] || { echo "FAIL: exit $code, expected 4 (139 = the crash)"; exit 1; }
[ "$(printf '%s\n' "$err" | grep -c '^cartsim: error:')" -eq 1 ] || { echo "FAIL: not one cartsim error line"; exit 1; }
line=$(printf '%s\n' "$err" | grep '^cartsim: error:')
printf '%s' "$line" | grep -q "row r0000" || { echo "FAIL: the message does not name the row"; exit 1; }
# the run file's write (HDF5: "... free in DIR: disk full?") or the status record's (the system's words)
printf '%s' "$line" | grep -Eq "disk full|No space left on device" ||
  { echo "FAIL: the message does not say the disk is full"; exit 1; }
printf '%s' "$line" | grep -q "rerun the same command" || { echo "FAIL: the message does not say how to go on"; exit 1; }
if grep -l '"failed"' "$out"/status/*.json 2>/dev/null; then echo "FAIL: a row was recorded failed"; exit 1; fi
done_rows=$(find "$out/status" -name '*.json' 2>/dev/null | wc -l)
[ "$done_rows" -lt 10 ] || { echo "FAIL: the disk did not fill (test too small)"; exit 1; }
if ls "$out"/runs/ | grep -q partial; then echo "FAIL: a partial run file was left"; ls "$out"/runs; exit 1; fi
for st in $(find "$out/status" -name '*.json'); do # a row recorded done has its run file (one whose
  id=$(basename "$st" .json)                        # record the full disk refused may have its file)
  [ -f "$out/runs/$id.h5" ] || { echo "FAIL: $id recorded without its run file"; exit 1; }
done

mount -o remount,size=40m "$disk" || { echo "FAIL: cannot grow the tmpfs"; exit 1; }
res=$("${launch[@]}" "$cartsim" sweep "$work/s.yaml" -o "$out" --quiet 2>&1)
code=$?
echo "$res"
[ "$code" -eq 0 ] || { echo "FAIL: the resumed sweep exited $code"; exit 1; }
printf '%s' "$res" | grep -q "computed $((10 - done_rows)), reused $done_rows, failed 0 (of 10 rows" ||
  { echo "FAIL: the resumed sweep did not reuse the $done_rows rows done"; exit 1; }
[ "$(grep -c ',done,' "$out/summary.csv")" -eq 10 ] || { echo "FAIL: summary.csv does not hold 10 done rows"; exit 1; }
echo "ok: the full disk stopped the sweep (exit 4, $done_rows rows done, none failed); resumed to 10"
