"""The generated explorer page: self-contained (no external references),
under 10 MB, with the data and plotly.js inlined, and a summary.csv whose
benefits equal the runs' /outcomes; the treated synovitis curves equal the
untreated ones up to the injection and show the dip after it at the depth
and duration of a run written every 0.05 day.
Usage: check_page.py EXPLORER_DIR CARTSIM"""
import base64
import csv
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

d, cartsim = sys.argv[1:3]
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

# The depth-profile player ends where the runs end (it ended at day 1800, the benefit is at 1825).
with h5py.File(os.path.join(d, "runs", "average_untreated.h5"), "r") as f:
    horizon = float(f["timeseries/time"][-1])
if data["profile_times"][-1] != horizon:
    bad.append(f"the depth profiles end on day {data['profile_times'][-1]:g}, the runs on day {horizon:g}")

# What the page says the stem cells do, against the runs: they calm the synovium (P_s); they add
# almost no anti-inflammatory factor (R_s) and hardly any become cartilage cells. The page said
# they "release anti-inflammatory factors"; in the runs they add ~0.003 % of R_s.
text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html[:html.index("const PLOTLY_GZ")]))
if re.search(r"release[sd]? anti-inflammatory", text):
    bad.append("the page says the stem cells release anti-inflammatory factors")
if "almost no anti-inflammatory factor" not in text:
    bad.append("the page does not say that the stem cells add almost no anti-inflammatory factor")
m = re.search(r"fewer than 1 in (\d+) become cartilage cells", text)
if not m:
    bad.append("the page does not say how few stem cells become cartilage cells")
share, made = 0.0, 0.0
for p in data["patients"]:
    with h5py.File(os.path.join(d, "runs", f"{p}_untreated.h5"), "r") as f:
        ut, ur = f["timeseries/time"][:], f["timeseries/R_s"][:]
    for arm, spec in data["arms"].items():
        if spec["type"] != "msc":
            continue
        for day in data["days"]:
            with h5py.File(os.path.join(d, "runs", f"{p}_{arm}_{day}.h5"), "r") as f:
                t, r = f["timeseries/time"][:], f["timeseries/R_s"][:]
                made = max(made, f["timeseries/msc_differentiated"][-1] / f["timeseries/msc_injected"][-1])
            common, i, j = np.intersect1d(t, ut, return_indices=True)
            share = max(share, float(np.max(np.abs(r[i] - ur[j]) / ur[j])))
print(f"stem cells: at most {100 * share:.4f} % of R_s added, {made:.2e} of them became chondrocytes "
      f"(1 in {1 / made:.0f})")
if share > 1e-3:
    bad.append(f"the stem cells change R_s by up to {100 * share:.3f} %: not 'almost no anti-inflammatory factor'")
if m and made >= 1 / int(m.group(1)):
    bad.append(f"1 in {1 / made:.0f} injected cells became chondrocytes; the page says fewer than 1 in {m.group(1)}")

# docs/explorer.md's suggested questions state what the page shows; their numbers must be the page's
# (they said a bigger dose helps "only a little" and the fast patient gains "nothing" at month 6,
# where the page shows 17 against 1 point and +2.8 points).
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "explorer.md")) as f:
    doc = f.read()
doc = re.sub(r"\s+", " ", doc[doc.index("Suggested questions"):doc.index("## Patients")])


def benefit(p, arm, day):
    """The page's benefit for the injection day nearest to `day`."""
    i = min(range(len(data["days"])), key=lambda k: abs(data["days"][k] - day))
    return data["patients"][p]["arms"][arm]["benefit"][i]


claims = {
    r"about (\d+) against (\d+) points in the first months":
        lambda x, y: (benefit("fast", "msc_5e7_reference", 90), benefit("average", "msc_5e7_reference", 90)),
    r"yet only about (\d+) points at month 6": lambda x: (benefit("fast", "msc_5e7_reference", 180),),
    r"matter so much at month 6 to 9 \(about (\d+) points against (\d+)\)":
        lambda x, y: (benefit("average", "msc_5e7_reference", 180), benefit("average", "msc_1e7_reference", 180)),
}
for pattern, page in claims.items():
    m = re.search(pattern, doc)
    if not m:
        bad.append(f"docs/explorer.md's questions no longer say /{pattern}/: update this test with them")
        continue
    for said, shown in zip(map(float, m.groups()), page(*m.groups())):
        if abs(said - shown) > 1.5:
            bad.append(f"docs/explorer.md says '{m.group(0)}': the page shows {shown:.2f}, not about {said:g}")
if "but hardly at month 3 or at year 4" in doc:
    for day in (90, 1460):
        gap = benefit("average", "msc_5e7_reference", day) - benefit("average", "msc_1e7_reference", day)
        if abs(gap) > 1:
            bad.append(f"docs/explorer.md: 50 against 10 million cells 'hardly' matter on day {day}: {gap:.2f} points")
else:
    bad.append("docs/explorer.md's questions no longer say 'but hardly at month 3 or at year 4'")
m = re.search(r"below ([\d.]+) points on any day", doc)
drug = max(max(pd["arms"]["il1ra"]["benefit"]) for pd in data["patients"].values())
if not m or drug >= float(m.group(1)):
    bad.append(f"docs/explorer.md: the drug's largest benefit is {drug:.3f} points, the questions say "
               f"{m and m.group(0)}")


def series(path, name):
    with h5py.File(path, "r") as f:
        return f["timeseries/time"][:], f[f"timeseries/{name}"][:]


def dip(t, v, day, half=None):
    """(lowest value in the 20 days after `day`, halfway between the value on `day` and that
    minimum, the first day after the minimum on which the curve is back above `half` (default:
    that halfway level) or None)."""
    w = (t >= day) & (t <= day + 20)
    t, v = t[w], v[w]
    k = int(np.argmin(v))
    half = (v[0] + v[k]) / 2 if half is None else half
    up = np.nonzero(v[k:] > half)[0]
    if not len(up):
        return v[k], half, None
    j = k + up[0]  # interpolate the crossing between rows j-1 and j
    return v[k], half, t[j - 1] + (half - v[j - 1]) / (v[j] - v[j - 1]) * (t[j] - t[j - 1])


# The first weeks after an injection: the page's curve against a run written every 0.05 day.
# On the monthly grid the IL-1Ra dip (about a day) was drawn a month wide and the MSC minimum
# (half a day after the injection; 0.18 for the fast patient) a month later at 0.41.
early = data.get("early")
if early is None:
    bad.append("the page data has no early samples after the injection (data.early)")
else:
    day = 180 if 180 in data["days"] else data["days"][0]
    i = data["days"].index(day)
    with tempfile.TemporaryDirectory() as tmp:
        for p in ("average", "fast"):
            un_t, un_v = series(os.path.join(d, "runs", f"{p}_untreated.h5"), "synovitis")
            for arm in ("il1ra", "msc_5e7_reference", "msc_1e7_reference"):
                kind, dose, source = data["arms"][arm]["type"], data["arms"][arm]["dose"], data["arms"][arm]["source"]
                fine = os.path.join(tmp, f"{p}_{arm}.h5")
                cmd = [cartsim, "run", os.path.join("configs", "explorer", f"{p}.yaml"), "--from-state",
                       os.path.join(d, "states", f"{p}_{day}.h5"), "--set", f"treatments[0].type={kind}",
                       "--set", f"treatments[0].day={day}", "--set", f"treatments[0].dose={dose:g}",
                       "--set", f"treatments[0].source={source}", "--set", f"run.t_end={day + 21}",
                       "--set", "output.dt=0.05", "--set", "output.fields_every=0", "-o", fine, "--quiet"]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode:
                    bad.append(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr}")
                    continue
                a = data["patients"][p]["arms"][arm]
                pe = np.array(a["synovitis_early"][i])
                px = np.array([day] + [day + o for o in early])
                ft, fv = series(fine, "synovitis")
                ft, fv = np.concatenate([[day], ft]), np.concatenate([[np.interp(day, un_t, un_v)], fv])
                if abs(pe[0] - fv[0]) > 1e-4:
                    bad.append(f"{p} {arm} day {day}: the curve starts at {pe[0]}, untreated {fv[0]:.4f}")
                flow, half, fback = dip(ft, fv, day)
                plow, _, pback = dip(px, pe, day, half)
                print(f"{p} {arm} day {day}: lowest {plow:.3f} (fine run {flow:.3f}), back above {half:.3f} on day "
                      f"{pback and round(pback, 2)} (fine run {fback and round(fback, 2)})")
                if abs(plow - flow) > 0.02:
                    bad.append(f"{p} {arm} day {day}: the page's dip goes to {plow:.3f}, a run written every "
                               f"0.05 day to {flow:.3f}")
                if (pback is None) != (fback is None) or \
                        (pback is not None and abs(pback - fback) > max(0.5, 0.1 * (fback - day))):
                    bad.append(f"{p} {arm} day {day}: the page's dip is back above {half:.3f} on day {pback}, a run "
                               f"written every 0.05 day on {fback}")
print(f"page {size / 1e6:.2f} MB, {len(rows)} runs in the summary, {len(bad)} problems")
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
