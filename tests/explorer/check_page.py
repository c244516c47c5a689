"""The generated explorer page: self-contained (no external references),
under 10 MB, with the data and plotly.js inlined, and a summary.csv whose
benefits equal the runs' /outcomes. Usage: check_page.py EXPLORER_DIR"""
import base64
import csv
import gzip
import json
import os
import re
import sys

import h5py

d = sys.argv[1]
html = open(os.path.join(d, "index.html")).read()
bad = []
size = os.path.getsize(os.path.join(d, "index.html"))
if size > 10e6:
    bad.append(f"page is {size / 1e6:.1f} MB (> 10 MB)")
if re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html) or re.search(r"https?://(?!www\.w3\.org)", html):
    bad.append("the page refers to something outside itself")
data = json.loads(gzip.decompress(base64.b64decode(re.search(r'const DATA_GZ = "([^"]+)"', html).group(1))))
plotly = gzip.decompress(base64.b64decode(re.search(r'const PLOTLY_GZ = "([^"]+)"', html).group(1))).decode()
if "Plotly" not in plotly[:20000] and "plotly" not in plotly[:20000]:
    bad.append("plotly.js is not inlined")
rows = list(csv.DictReader(open(os.path.join(d, "summary.csv"))))
for r in rows[:: max(1, len(rows) // 25)]:
    arm = "il1ra" if r["treatment"] == "il1ra" else f"msc_{float(r['dose']):.0e}".replace("+0", "") + "_" + r["source"]
    path = os.path.join(d, "runs", f"{r['patient']}_{arm}_{r['day']}.h5")
    with h5py.File(path, "r") as f:
        b = float(f["outcomes/benefit_thickness_points"][()])
    if abs(b - float(r["benefit_thickness_points"])) > 1e-9:
        bad.append(f"{path}: summary {r['benefit_thickness_points']} != file {b}")
    i = data["days"].index(int(r["day"]))
    if abs(data["patients"][r["patient"]]["arms"][arm]["benefit"][i] - b) > 1e-3:
        bad.append(f"page data for {arm} day {r['day']} differs from {path}")
# Up to and including the injection day a treated knee is the untreated one: the first row of an
# IL-1Ra branch is already after the bolus (synovitis ~0), and sampling it at the injection day
# drew the drop as a "V" starting a month before the injection.
for p, pd in data["patients"].items():
    for arm, a in pd["arms"].items():
        for i, day in enumerate(data["days"]):
            for q in ("thickness", "synovitis"):
                for k, g in enumerate(data["grid"]):
                    if g <= day and abs(a[q][i][k] - pd["untreated"][q][k]) > 1e-4:
                        bad.append(f"{p} {arm} day {day}: {q} at day {g:g} is {a[q][i][k]}, "
                                   f"untreated {pd['untreated'][q][k]} (before the injection)")
                        break
print(f"page {size / 1e6:.2f} MB, {len(rows)} runs in the summary, {len(bad)} problems")
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
