"""The real demo output (cartsim demo): every file is there and valid, the
report is self-contained, and the numbers it shows are the runs' outcomes.
Usage: check_demo.py DIR"""
import os
import re
import sys

import h5py
import numpy as np
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
    if im.size[0] < 1000:
        bad.append(f"animation.gif: {im.size[0]} pixels wide, below the figures' 110 dpi")
    im.seek(im.n_frames - 1)
    if im.info.get("duration", 0) < 2000:
        bad.append(f"animation.gif: the final state lasts {im.info.get('duration')} ms, not 2 s")
if not os.path.isfile(os.path.join(d, "animation_final.png")):
    bad.append("no animation_final.png (the final state as a still image)")
else:
    with Image.open(os.path.join(d, "animation_final.png")) as im:
        if im.format != "PNG" or im.size[0] < 1000:
            bad.append("animation_final.png: not the still of the final state")
html = open(os.path.join(d, "report.html")).read()
if re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html) or "http://" in html or "https://" in html:
    bad.append("report.html refers to something outside itself")
if html.count("data:image/png;base64,") != 4 or html.count("data:image/gif;base64,") != 1:
    bad.append("report.html does not hold the 4 PNG (3 figures, the animation's final state) and the GIF")
for label in ("msc_early", "msc_late", "il1ra_early"):
    with h5py.File(os.path.join(d, label + ".h5"), "r") as f:
        if f["meta"].attrs["status"] != "complete":
            bad.append(f"{label}: run not complete")
        b = float(f["outcomes/benefit_thickness_points"][()])
    shown = f"{b:+.1f}" if abs(b) >= 0.1 else f"{b:+.2f}"
    if shown not in html:
        bad.append(f"report does not show the {label} benefit {shown}")
# the branches resolve the MSC dip (within a day of the injection): time series every 0.5 day at most,
# field snapshots at the untreated run's days (the profiles and the animation line up), and the report's
# "lowest" synovitis is the file's
with h5py.File(os.path.join(d, "untreated.h5"), "r") as f:
    untreated_fields = set(f["fields/time"][()].round(6))
for label, day in (("msc_early", 180.0), ("msc_late", 1460.0), ("il1ra_early", 180.0)):
    with h5py.File(os.path.join(d, label + ".h5"), "r") as f:
        t, s, ft = f["timeseries/time"][()], f["timeseries/synovitis"][()], f["fields/time"][()]
    if (t[1:] - t[:-1]).max() > 0.5 + 1e-9:
        bad.append(f"{label}: time series step {(t[1:] - t[:-1]).max():g} days, coarser than 0.5")
    if not set(ft[1:].round(6)) <= untreated_fields:
        bad.append(f"{label}: field snapshots {sorted(set(ft[1:].round(6)) - untreated_fields)} are not the "
                   "untreated run's")
    if label == "msc_late":  # the early injection cures: its sentence quotes no lowest value
        with h5py.File(os.path.join(d, "untreated.h5"), "r") as f:
            s_inj = float(np.interp(day, f["timeseries/time"][()], f["timeseries/synovitis"][()]))
        low = s[(t > day + 1e-9) & (t <= day + 90 + 1e-9)].min()
        if f"synovitis {s_inj:.2f} at the injection, {low:.2f} at its lowest" not in html:
            bad.append(f"report does not quote the {label} lowest synovitis {low:.2f} (of its file)")
with h5py.File(os.path.join(d, "msc_early.h5"), "r") as f:
    if float(f["outcomes/benefit_thickness_points"][()]) < 5 * float(
            h5py.File(os.path.join(d, "msc_late.h5"), "r")["outcomes/benefit_thickness_points"][()]):
        bad.append("early does not beat late")
for b in bad:
    print("FAIL", b)
print(f"{len(bad)} problems in {d}")
sys.exit(1 if bad else 0)
