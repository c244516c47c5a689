"""ParaView reads the XDMF files of postprocess.xdmf: every reader loads every species, at the cell
centres, with the HDF5 file's values, at every snapshot time. Run by pvpython (ParaView's Python);
tests/postprocess/paraview_xdmf.sh skips (77) where ParaView is not installed.

usage: pvpython paraview_xdmf.py RUN.h5   (its .xmf and .xdmf2.xmf beside it)
"""
import os
import sys

import h5py
import numpy as np
from paraview import servermanager as sm
from paraview import simple as pv
from vtkmodules.util.numpy_support import vtk_to_numpy


def check(xmf, reader, f):
    g = f["grid"]
    dim = int(g.attrs["dim"])
    x, z = g["x"][:], g["z"][:]
    y = g["y"][:] if dim == 3 else None
    times = f["fields/time"][:]
    r = pv.XDMFReader(FileNames=[xmf]) if reader == "XDMFReader" else getattr(pv, reader)(FileName=[xmf])
    r.UpdatePipelineInformation()
    problems = []
    if not np.allclose(list(r.TimestepValues), times):
        problems.append(f"time steps {list(r.TimestepValues)} != {list(times)}")
    for k, t in enumerate(times):
        r.UpdatePipeline(t)
        d = sm.Fetch(r)
        if d.IsA("vtkMultiBlockDataSet"):
            d = d.GetBlock(0)
        pts = np.array([d.GetPoint(i) for i in range(d.GetNumberOfPoints())])
        # 3-D: X, Y, Z = x, y, z; 2-D: X = x, Y = z, one layer
        cx = np.argmin(np.abs(pts[:, 0][:, None] - x[None]), 1)
        if dim == 3:
            cy = np.argmin(np.abs(pts[:, 1][:, None] - y[None]), 1)
            cz = np.argmin(np.abs(pts[:, 2][:, None] - z[None]), 1)
            at = (pts[:, 0] == pts[:, 0]) & np.isclose(pts[:, 1], y[cy]) & np.isclose(pts[:, 2], z[cz])
        else:
            cz = np.argmin(np.abs(pts[:, 1][:, None] - z[None]), 1)
            at = np.isclose(pts[:, 1], z[cz]) & np.isclose(pts[:, 2], 0.0)
        at &= np.isclose(pts[:, 0], x[cx])
        if not at.all() or len(pts) != f["fields/a"][k].size:
            problems.append(f"t {t}: points are not the {f['fields/a'][k].size} cell centres")
            continue
        for s in f["fields"]:
            if s == "time":
                continue
            arr = d.GetPointData().GetArray(s)
            if arr is None:
                problems.append(f"t {t}: {s} not loaded")
                continue
            want = f["fields/" + s][k][(cz, cy, cx) if dim == 3 else (cz, cx)]
            if not np.array_equal(vtk_to_numpy(arr), want):
                problems.append(f"t {t}: {s} differs from the HDF5 values")
    pv.Delete(r)
    return problems


def main():
    h5 = os.path.abspath(sys.argv[1])
    base = os.path.splitext(h5)[0]
    failed = 0
    with h5py.File(h5, "r") as f:
        for xmf, readers in ((base + ".xmf", ("Xdmf3ReaderS", "Xdmf3ReaderT")), (base + ".xdmf2.xmf", ("XDMFReader",))):
            for reader in readers:
                problems = check(xmf, reader, f)
                print(f"{os.path.basename(xmf)} with {reader}: {'ok' if not problems else '; '.join(problems[:5])}")
                failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
