"""The disease-stage presets made by scripts/make-stages.sh are the states
their definitions say (docs/scenarios.md): day, aggrecan and collagen
content, synovial inflammation.  Usage: check_stages.py DIR"""
import sys

import h5py

A, C = 5, 6  # species index of aggrecan and collagen (model/species.h)
EXPECT = {  # stage: (day, mean a range, mean c range)
    "early": (180, (0.55, 0.75), (0.98, 1.0)),
    "moderate": (730, (0.5, 0.65), (0.9, 0.96)),
    "late": (1460, (0.5, 0.65), (0.83, 0.88)),
}
bad = []
for stage, (day, arange, crange) in EXPECT.items():
    with h5py.File(f"{sys.argv[1]}/{stage}.h5", "r") as f:
        u = f["cartilage"][:]
        a, c, t = u[..., A].mean(), u[..., C].mean(), float(f.attrs["time"])
        ps = f["synovial"][0]
    ok = t == day and arange[0] <= a <= arange[1] and crange[0] <= c <= crange[1] and ps > 0.03
    print(f"{'ok  ' if ok else 'FAIL'} {stage}: day {t:g}, mean a {a:.3f}, mean c {c:.3f}, P_s {ps:.4f}")
    if not ok:
        bad.append(stage)
sys.exit(1 if bad else 0)
