"""Compare the time series and fields of cartsim runs made on different rank
counts: every value must agree to RTOL relative (plus a small absolute floor
for quantities that pass through zero).

Usage: compare_runs.py RTOL reference.h5 other.h5 [other.h5 ...]
"""
import sys

import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        status = f["meta"].attrs["status"]
        status = status.decode() if isinstance(status, bytes) else status
        data = {f"timeseries/{k}": f["timeseries"][k][:] for k in f["timeseries"]}
        if "fields" in f:
            data.update({f"fields/{k}": f["fields"][k][:] for k in f["fields"]})
        return status, int(f["meta"].attrs["ranks"]), data


def main(rtol, ref, others):
    status, ranks, a = load(ref)
    problems = [] if status == "complete" else [f"{ref}: status {status}"]
    for path in others:
        st, r, b = load(path)
        if st != "complete":
            problems.append(f"{path}: status {st}")
        for key, va in a.items():
            if key not in b:
                problems.append(f"{path}: {key} missing")
                continue
            vb = b[key]
            if va.shape != vb.shape:
                problems.append(f"{path}: {key} shape {vb.shape} != {va.shape}")
                continue
            scale = np.max(np.abs(va)) if va.size else 0.0
            err = np.abs(va - vb) - (rtol * np.abs(va) + 1e-9 * scale + 1e-15)
            if np.any(err > 0):
                i = int(np.argmax(err))
                problems.append(f"{path} ({r} ranks) vs {ref} ({ranks}): {key}[{i}] = {vb.flat[i]!r} != {va.flat[i]!r}")
        print(f"compared {path} ({r} ranks) with {ref} ({ranks} ranks): {len(a)} datasets")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), sys.argv[2], sys.argv[3:]))
