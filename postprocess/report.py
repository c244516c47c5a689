"""One self-contained HTML report of an early-versus-late comparison.

write_report(out_html, figures, runs, title) embeds every figure (PNG/GIF) as
a base64 data URI, uses inline CSS only and links to nothing, so the file can
be mailed or opened offline in a classroom. Every number in the text comes
from the runs (via metrics and plots.summary_table), never from constants.
"""

import base64
import html
import math
import os

from . import metrics
from .plots import format_number, pretty_label, summary_table
from .reader import DAYS_PER_YEAR

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; max-width: 980px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; font-size: 17px; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
figure { margin: 1.2em 0; text-align: center; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.6em 1em; }
.small { color: #666; font-size: 0.85em; }
"""

MIME = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".svg": "image/svg+xml"}


def data_uri(path):
    """The file as a data: URI (base64)."""
    ext = os.path.splitext(path)[1].lower()
    with open(path, "rb") as f:
        return f"data:{MIME.get(ext, 'application/octet-stream')};base64,{base64.b64encode(f.read()).decode('ascii')}"


def _pct(v, digits=1):
    return "not available" if v is None or math.isnan(v) else f"{100 * v:.{digits}f} %"


def _pts(v):
    if v is None or math.isnan(v):
        return "not available"
    return f"{v:+.2f}" if abs(v) < 1 else f"{v:+.1f}"


def comparability_notes(runs, untreated_label="untreated"):
    """One line per run that is not the untreated run's knee (another grid,
    model or initial state: its benefit compares two different knees) and,
    if the runs end on different days, one line about the horizon."""
    untreated = metrics.find_untreated(runs, untreated_label)
    notes = []
    if untreated is not None:
        for label, run in runs.items():
            diff = [] if run is untreated else metrics.knee_differences(run, untreated)
            if diff:
                notes.append(f"{label} is not the same knee as the untreated run ({'; '.join(diff)}): "
                             "its benefit compares two different knees")
    ends = sorted({round(r.end_day, 6) for r in runs.values()})
    if len(ends) > 1:
        notes.append(f"the runs end on different days ({', '.join(f'{e:g}' for e in ends)}): every number is "
                     f"taken at day {metrics.horizon(runs.values()):g}")
    return notes


def key_numbers(runs, untreated_label="untreated"):
    """The numbers the explanation quotes, all from the runs:
    early/late MSC and IL-1Ra runs (by treatment type and day), their
    benefits, MSC retention at 30 and 180 days, horizon, thickness loss."""
    untreated = metrics.find_untreated(runs, untreated_label)
    T = metrics.horizon(runs.values())
    msc = sorted(((metrics.first_treatment(r, "msc")["day"], l, r) for l, r in runs.items()
                  if metrics.first_treatment(r, "msc")), key=lambda x: x[0])
    il1ra = [(metrics.first_treatment(r, "il1ra")["day"], l, r) for l, r in runs.items()
             if metrics.first_treatment(r, "il1ra") and not metrics.first_treatment(r, "msc")]
    # early and late only when the injection days differ (runs on the same day are not "late")
    late = msc[-1] if len(msc) > 1 and msc[-1][0] > msc[0][0] else None
    k = {"horizon_day": T, "horizon_years": T / DAYS_PER_YEAR, "untreated": untreated,
         "early": msc[0] if msc else None, "late": late, "il1ra": il1ra[0] if il1ra else None}
    for name in ("early", "late", "il1ra"):
        item = k[name]
        if item is None:
            k[f"{name}_benefit"] = math.nan
        elif untreated is not None:
            k[f"{name}_benefit"] = metrics.benefit_points(item[2], untreated, T)
        elif abs(item[2].end_day - T) < 1e-6:  # branch files alone: the benefit cartsim stored (--baseline)
            k[f"{name}_benefit"] = metrics.outcome_or(item[2], "benefit_thickness_points", lambda: math.nan)
        else:
            k[f"{name}_benefit"] = math.nan
    if untreated is not None:
        th = untreated.series("thickness")
        k["untreated_loss_pct"] = 100 * (th[0] - metrics.value_at(untreated, "thickness", T)) / th[0]
        k["untreated_rate_pct_per_year"] = k["untreated_loss_pct"] / (T / DAYS_PER_YEAR) if T > 0 else math.nan
    else:
        k["untreated_loss_pct"] = k["untreated_rate_pct_per_year"] = math.nan
    k["retained_30d"] = k["retained_180d"] = math.nan
    if msc:
        r = msc[0][2]
        k["retained_30d"] = metrics.outcome_or(r, "msc_retained_30d", lambda: metrics.msc_retained(r, 30))
        k["retained_180d"] = metrics.outcome_or(r, "msc_retained_180d", lambda: metrics.msc_retained(r, 180))
    return k


def _explanation(k):
    """The plain-language 'why early helps more' section, with the runs' numbers."""
    yrs = f"{k['horizon_years']:.3g}"
    early = k["early"]
    late = k["late"]
    il1ra = k["il1ra"]
    p = []
    p.append("<h2>Why giving stem cells early helps more (in this model)</h2>")
    p.append("<p><b>The injury starts a fire.</b> After a knee injury the lining of the joint (the synovium) "
             "becomes inflamed. The inflammation signal in the joint fluid, called <i>synovitis</i> here, is the "
             "model's stand-in for pain. It makes the cartilage cells release enzymes that cut the cartilage "
             "matrix.</p>")
    p.append("<p><b>First the shield, then the structure.</b> Cartilage has two main building materials. "
             "<i>Aggrecan</i> is a sponge-like molecule that holds water; it is lost first, but the cells can "
             "rebuild it, so this loss is <b>reversible</b>. <i>Collagen</i> is the rope-like framework. While "
             "aggrecan is present it shields the collagen from the enzymes. Once the aggrecan shield is gone, "
             "the enzymes cut the collagen, and collagen is rebuilt so slowly (a half-life of over a century) "
             "that this loss is <b>lasting</b>: the cartilage gets thinner.</p>")
    p.append("<p><b>A vicious circle.</b> Damaged collagen sheds wear debris into the joint fluid, and the debris "
             "keeps the synovium inflamed. So once collagen is damaged, the inflammation feeds itself even after "
             "the original injury has healed.")
    if not math.isnan(k["untreated_loss_pct"]):
        p.append(f" Untreated, the simulated knee loses {k['untreated_loss_pct']:.1f} % of its cartilage "
                 f"thickness in {yrs} years (about {k['untreated_rate_pct_per_year']:.1f} % per year).")
    p.append("</p>")
    ret = ""
    if not math.isnan(k["retained_30d"]):
        ret = (f" In these runs {_pct(k['retained_30d'])} of the injected cells are still in the joint 30 days "
               f"after the injection")
        ret += (f" and {_pct(k['retained_180d'])} after 6 months." if not math.isnan(k["retained_180d"]) else ".")
    p.append("<p><b>Stem cells help only for a few weeks.</b> Injected mesenchymal stem cells (MSCs) calm the "
             "synovium and release anti-inflammatory factors, but most of them leave the joint or die within a "
             f"month.{ret}</p>")
    if early is not None:
        p.append(f"<p><b>Given early</b> (day {early[0]:g}), the cells break the "
                 "vicious circle while the collagen is still shielded: the inflammation stops, aggrecan grows "
                 f"back, and the joint returns towards health. Benefit at year {yrs}: "
                 f"<b>{_pts(k['early_benefit'])} percentage points</b> of cartilage thickness compared with no "
                 "treatment.</p>")
    if late is not None:
        p.append(f"<p><b>Given late</b> (day {late[0]:g}), the same cells calm the joint "
                 "for a while, but the collagen is already damaged: its wear debris restarts the inflammation "
                 f"after the cells are gone. Benefit at year {yrs}: <b>{_pts(k['late_benefit'])} percentage "
                 "points</b>.</p>")
    if il1ra is not None:
        p.append(f"<p><b>An anti-inflammatory drug injection</b> (IL-1Ra, day {il1ra[0]:g}) is washed out of the "
                 "joint within about two days, far too short to break the circle. Benefit at year "
                 f"{yrs}: <b>{_pts(k['il1ra_benefit'])} percentage points</b>.</p>")
    p.append("<p class='note'><b>Not a miracle cure &mdash; the limits of this model.</b> It simulates one "
             "<i>average</i> patient with average parameters; real patients differ (the size of the injury, "
             "their joint, their cells), and some would be helped less or more. Late-stage damage is not "
             "reversed: lost collagen does not grow back in the model, and no injection rebuilds a worn-out "
             "joint. The numbers are model predictions, calibrated to published studies, not clinical "
             "results.</p>")
    return "\n".join(p)


def _table(rows):
    head = ("run", "injection day", "thickness at horizon (mm)", "benefit (points)", "years to c &lt; 0.8",
            "synovitis AUC (day)", "MSCs retained at 30 d")
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for r in rows:
        cells = [html.escape(pretty_label(r.label)),
                 f"{r.injection_day:g}" if r.injection_day is not None else "–",
                 format_number(r.thickness_mm, decimals=3),
                 _pts(r.benefit_points) if r.benefit_points is not None else "–",
                 "not reached" if r.years_to_c80 is None or math.isnan(r.years_to_c80)
                 else f"{r.years_to_c80:.2f}",
                 format_number(r.synovitis_auc, decimals=0),
                 _pct(r.msc_retained_30d) if not math.isnan(r.msc_retained_30d) else "–"]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


CAPTIONS = {
    "early_vs_late": "Cartilage thickness and collagen over time, for each treatment branch.",
    "profiles": "How aggrecan, collagen and cells vary with depth, from the bone (bottom) to the joint surface (top).",
    "inflammation": "The pro-inflammatory cytokine P_s and the anti-inflammatory factor R_s in the joint fluid "
                    "(synovitis, the pain proxy, is computed from the two), and the injected stem cells still "
                    "in the joint.",
    "animation": "The cartilage depth profiles over time, early (left) and late (right) injection.",
}


def write_report(out_html, figures, runs, title="cartsim: stem cells for knee cartilage, early vs late",
                 untreated_label="untreated"):
    """Write ONE self-contained HTML file: title, explanation with numbers
    from the runs, the summary table, every figure embedded as a data URI.
    `runs`: dict label -> reader.Run. Returns the path."""
    k = key_numbers(runs, untreated_label)
    rows = summary_table(runs, untreated_label)
    parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             "<p class='small'>Simulated with cartsim, a model of a knee after an injury: inflammation, cartilage "
             "matrix and cells, with and without an injection of mesenchymal stem cells (MSCs).</p>"]
    incomplete = [l for l, r in runs.items() if not r.complete]
    if incomplete:
        parts.append("<p class='note'>Warning: these runs did not finish: "
                     + ", ".join(f"{html.escape(l)} ({html.escape(runs[l].status)})" for l in incomplete) + "</p>")
    for line in comparability_notes(runs, untreated_label):
        parts.append(f"<p class='note'>Warning: {html.escape(line)}</p>")
    parts.append(_explanation(k))
    parts.append("<h2>Summary</h2>")
    parts.append(_table(rows))
    parts.append(f"<p class='small'>Horizon: day {k['horizon_day']:g} ({k['horizon_years']:.3g} years). "
                 "Benefit: thickness at the horizon minus the untreated thickness, in percent of the initial "
                 "thickness. Synovitis AUC: the inflammation signal (0&ndash;1) summed over time. "
                 "Retention: injected MSCs still in the joint 30 days after the injection.</p>")
    parts.append("<h2>Figures</h2>")
    for fig in figures:
        stem = os.path.splitext(os.path.basename(fig))[0]
        cap = CAPTIONS.get(stem, stem.replace("_", " "))
        parts.append(f"<figure><img alt='{html.escape(cap)}' src='{data_uri(fig)}'>"
                     f"<figcaption>{html.escape(cap)}</figcaption></figure>")
    parts.append("<p class='small'>Run files: " + ", ".join(
        f"{html.escape(l)} = {html.escape(os.path.basename(r.path))} ({html.escape(r.status)})"
        for l, r in runs.items()) + "</p>")
    parts.append("</body></html>")
    with open(out_html, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    return str(out_html)


if __name__ == "__main__":  # `python3 -m postprocess.report` is `python3 -m postprocess report`
    import sys

    from .__main__ import main

    sys.exit(main(["report", *sys.argv[1:]]))
