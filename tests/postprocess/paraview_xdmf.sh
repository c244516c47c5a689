#!/bin/sh
# ParaView opens the XDMF files of a real 2-D and 3-D run (tests/postprocess/paraview_xdmf.py);
# skipped (77) where ParaView's pvpython is not installed (Debian: paraview python3-paraview).
# usage: paraview_xdmf.sh CARTSIM PYTHON REPO
set -eu
cartsim=$1 python=$2 repo=$3
command -v pvpython >/dev/null 2>&1 || { echo "pvpython not found: skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cartsim-paraview.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HDF5_USE_FILE_LOCKING=FALSE
common="--quiet --set run.t_end=20 --set output.fields_every=10 --set treatments=[]"
# small grids, lengths and counts that differ in every direction, an off-centre lesion
"$cartsim" run "$repo/configs/lesion2d.yaml" -o "$work/l2.h5" $common --set grid.nz=12 --set grid.nx=10 \
  --set initial.lesion_xc=0.3
"$cartsim" run "$repo/configs/lesion3d.yaml" -o "$work/l3.h5" $common --set grid.nz=6 --set grid.nx=8 \
  --set grid.ny=5 --set grid.Ly=3 --set initial.lesion_yc=0.7
cd "$repo"
"$python" -m postprocess xdmf "$work/l2.h5" "$work/l3.h5"
status=0
for run in l2 l3; do
  pvpython "$repo/tests/postprocess/paraview_xdmf.py" "$work/$run.h5" 2>"$work/$run.err" || { status=1; cat "$work/$run.err"; }
done
exit $status
