"""The real demo output (cartsim demo): every file is there and valid, the
report is self-contained, and the numbers it shows are the runs' outcomes.
Usage: check_demo.py DIR"""
import os
import re
import sys

import h5py
from PIL import Image

d = sys.argv[1]
bad = []
for name in ("early_vs_late.png", "profiles.png", "inflammation.png"):
    with Image.open(os.path.join(d, name)) as im:
        if im.format != "PNG" or im.size[0] < 400:
            bad.append(f"{name}: not a proper PNG")
with Image.open(os.path.join(d, "animation.gif")) as im:
    if im.format != "GIF" or getattr(im, "n_frames", 1) < 10:
        bad.append("animation.gif: fewer than 10 frames")
html = open(os.path.join(d, "report.html")).read()
if re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html) or "http://" in html or "https://" in html:
    bad.append("report.html refers to something outside itself")
for label in ("msc_early", "msc_late", "il1ra_early"):
    with h5py.File(os.path.join(d, label + ".h5"), "r") as f:
        if f["meta"].attrs["status"] != "complete":
            bad.append(f"{label}: run not complete")
        b = float(f["outcomes/benefit_thickness_points"][()])
    shown = f"{b:+.1f}" if abs(b) >= 0.1 else f"{b:+.2f}"
    if shown not in html:
        bad.append(f"report does not show the {label} benefit {shown}")
with h5py.File(os.path.join(d, "msc_early.h5"), "r") as f:
    if float(f["outcomes/benefit_thickness_points"][()]) < 5 * float(
            h5py.File(os.path.join(d, "msc_late.h5"), "r")["outcomes/benefit_thickness_points"][()]):
        bad.append("early does not beat late")
for b in bad:
    print("FAIL", b)
print(f"{len(bad)} problems in {d}")
sys.exit(1 if bad else 0)
