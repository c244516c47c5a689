#!/usr/bin/python3
"""The Python peer (bench/mol_reference.py) and cartsim agree where a surface
exchange is switched off by a zero diffusivity (D_Z = 0, D_P = 0): the peer
divided by D and stopped with ZeroDivisionError, where cartsim's transfer
coefficient is 0 (model/transport.c, cs_surface_transfer).

usage: PYTHON test_peer_edges.py CARTSIM REPO
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def main():
    cartsim, repo = sys.argv[1], sys.argv[2]
    env = dict(os.environ, HDF5_USE_FILE_LOCKING="FALSE")
    failures = []
    with tempfile.TemporaryDirectory(prefix="cartsim-peer-") as work:
        for key in ("D_Z", "D_P"):
            h5 = os.path.join(work, key + ".h5")
            js = os.path.join(work, key + ".json")
            subprocess.run([cartsim, "run", os.path.join(repo, "configs", "reference.yaml"), "-o", h5, "--quiet",
                            "--set", "grid.nz=12", "--set", "run.t_end=200", "--set", "output.fields_every=0",
                            "--set", f"model.{key}=0"], check=True, env=env)
            p = subprocess.run([sys.executable, os.path.join(repo, "bench", "mol_reference.py"), "--nz", "12",
                                "--t-end", "200", "--out-dt", "5", "--set", f"{key}=0", "--json", js],
                               capture_output=True, text=True)
            if p.returncode != 0:
                failures.append(f"{key}=0: the peer failed: {p.stderr.strip().splitlines()[-1:]}")
                continue
            with open(js) as f:
                py = json.load(f)
            with h5py.File(h5, "r") as f:
                t = f["timeseries/time"][:]
                for q in ("thickness", "P_s", "mean_a"):
                    c = f["timeseries/" + q][:]
                    ref = np.interp(t, py["time"], py[q])
                    err = np.max(np.abs(c - ref) / np.maximum(np.abs(ref), 1e-6))
                    if err > 1e-3:
                        failures.append(f"{key}=0: {q} differs by {err:.2e} relative")
    for m in failures:
        print("FAIL:", m)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
