"""Figures from a cartsim sweep's summary.csv.

    /usr/bin/python3 -m postprocess.sweep_plots DIR [--outcome benefit_thickness_points] [-o OUTDIR]

picks what fits the design: a treatment-window map when `treatments[0].day`
varies (benefit against injection day, one curve per value of the next
varied key and a heat map, one row of panels per value of any further
varied keys; one point per run for a sampled design, LHS, Sobol or Morris,
as DIR/sweep.yaml says), cohort plots when the summary has patient/arm
columns (progression of the untreated arm, benefit per arm, early against
late per patient), and the Morris/Sobol sensitivity when the design has
trajectory/step or sample/block columns (postprocess.sensitivity).
Every function returns (path, plotted data) so tests can check the numbers.
"""
import math
import os
import sys

import numpy as np

from . import cli
from .sensitivity import UnreadableInput, analyse, outcome_columns, plot as sensitivity_plot, read_summary

DAY = "treatments[0].day"


def _figure(size=(8, 4.5)):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    return Figure(figsize=size, dpi=100)


BASE = ("", "nan")  # a list row that leaves a key out: the base config's value (nan in summary.h5)


def _float(value):
    try:
        return float(value)
    except ValueError:  # a word (treatments[0].type) or a key a list row left out
        return math.nan


def _num(rows, key):
    return np.array([_float(r[key]) for r in rows])


def _label(value):
    return "base config" if value in BASE else value


def _order(value):
    """Sort key of a varied key's values: numbers in order, then the base config's, then words
    (e.g. treatments[0].type)."""
    if value in BASE:
        return (1, 0.0, "")
    try:
        return (0, float(value), "")
    except ValueError:
        return (2, 0.0, value)


def _not_done(rows, what):
    """'3 of 24 rows not drawn (2 failed, 1 pending)', or None: any status but done (failed, pending,
    stale) is not used."""
    left = {}
    for r in rows:
        if r["status"] != "done":
            left[r["status"]] = left.get(r["status"], 0) + 1
    if not left:
        return None
    return (f"{sum(left.values())} of {len(rows)} rows not {what} ("
            + ", ".join(f"{n} {s}" for s, n in sorted(left.items())) + ")")


# A grid or list design gets curves and heat maps; a sampled design (LHS, Sobol, Morris: each row its own
# random values), or more values than these, is a scatter.
MAX_DAYS, MAX_GROUPS, MAX_PANELS = 60, 12, 6
SAMPLED = ("lhs", "sobol", "morris")

# The curves follow plots.py's colour rules (Okabe-Ito colours, colour never the only cue). These five are
# pairwise at least 20 CIELAB units apart under simulated deuteranopia and protanopia (Okabe-Ito's orange
# and vermillion, or bluish green and reddish purple, are not; its yellow is too pale for a line on white);
# the line style changes every five values and each value has its own marker, so the MAX_GROUPS values
# differ in colour and line style, and in marker (matplotlib's 10-colour cycle drew the 1st and the 11th
# value the same blue).
GROUP_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#000000", "#56B4E9"]
GROUP_STYLES = ["-", (0, (6, 2)), ":"]
GROUP_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]


def group_style(index):
    """(colour, line style, marker) of the index-th value of the key the curves (or a scatter's words)
    stand for."""
    n = len(GROUP_COLOURS)
    return (GROUP_COLOURS[index % n], GROUP_STYLES[index // n % len(GROUP_STYLES)],
            GROUP_MARKERS[index % len(GROUP_MARKERS)])


def _legend_beside(ax, title=None):
    """The legend right of the axes, off the data (inside it covered curves and points)."""
    ax.legend(title=title, fontsize=8, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0.0, frameon=False)


def design_type(sweep_dir):
    """design.type of DIR/sweep.yaml (grid, list, lhs, sobol, morris, cohort), or None when the file is
    missing or unreadable (window_map then tells a sampled design by its rows)."""
    try:
        import yaml
    except ImportError:
        return None
    try:
        with open(os.path.join(sweep_dir, "sweep.yaml"), encoding="utf-8") as f:
            kind = yaml.safe_load(f)["design"]["type"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, KeyError):
        return None
    return kind.lower() if isinstance(kind, str) else None


def _sampled(rows, design, day_key, other):
    """Whether the rows come from a sampled design: the design type when known; else design columns
    (Morris trajectory/step, Sobol sample/block: their rows share values between steps and blocks), or
    every run its own day and its own value of the next key (LHS)."""
    if design is not None:
        return design.lower() in SAMPLED
    if "trajectory" in rows[0] or "sample" in rows[0]:
        return True
    return (other is not None and len(rows) > 1 and len({r[day_key] for r in rows}) == len(rows)
            and len({r[other] for r in rows}) == len(rows))


def window_map(rows, out_png, outcome="benefit_thickness_points", day_key=DAY, design=None):
    """Outcome against injection day: curves per value of the next varied key and a heat map, one
    row of panels per value (combination) of any further varied keys (a grid over day x k_c x V_s
    drew each cell from whichever V_s row came last); a scatter coloured by the next key when the
    design is sampled (`design`, the sweep file's design.type; None: told by the rows, see _sampled;
    a 12-sample LHS was 12 one-point curves and a 12 x 12 heat map of 12 cells), when there are more
    values than fit (thousands of distinct values made a heat map of N x N cells: 654 MB for a
    2048-sample Sobol design) or when runs share a cell. Each curve has its own colour, line style
    and marker (group_style; data["styles"]), the legend beside the axes. Rows not done, and list
    rows without a day, are left out and counted in data["notes"]; ValueError when nothing is left."""
    notes = [n for n in [_not_done(rows, "drawn in the treatment window")] if n]
    done = [r for r in rows if r["status"] == "done"]
    rows = [r for r in done if math.isfinite(_float(r[day_key]))]
    if len(rows) < len(done):
        ids = [r["id"] for r in done if r not in rows]
        notes.append(f"{len(ids)} completed row(s) without a {day_key} (a list row that leaves it to the base "
                     f"config) not drawn: {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}")
    if not rows:
        raise ValueError(f"no completed row has a {day_key} value to draw the treatment window")
    if not np.isfinite(_num(rows, outcome)).any():
        raise ValueError(f"--outcome {outcome}: no completed row with an injection day has a value (all nan)")
    keys = [k for k in rows[0] if ("." in k or "[" in k) and k != day_key]
    other, extras = (keys[0], keys[1:]) if keys else (None, [])
    days = sorted({float(r[day_key]) for r in rows})
    groups = sorted({r[other] for r in rows}, key=_order) if other else [""]
    panels = sorted({tuple(r[k] for k in extras) for r in rows}, key=lambda p: [_order(v) for v in p])
    cells = {}
    for r in rows:
        cells.setdefault((tuple(r[k] for k in extras), r[other] if other else "", float(r[day_key])), []).append(r)
    if (_sampled(rows, design, day_key, other) or len(days) > MAX_DAYS or len(groups) > MAX_GROUPS
            or len(panels) > MAX_PANELS or any(len(c) > 1 for c in cells.values())):
        out = window_scatter(rows, out_png, outcome, day_key, other, extras)
        out[1]["notes"] = notes
        return out
    grid = np.full((len(panels), len(groups), len(days)), math.nan)
    for (p, g, d), (r,) in cells.items():
        grid[panels.index(p), groups.index(g), days.index(d)] = _float(r[outcome])
    finite = grid[np.isfinite(grid)]
    lo, hi = finite.min(), finite.max()  # one colour scale for every panel
    styles = [group_style(gi) for gi in range(len(groups))]
    fig = _figure((13 if other else 11, 4.5 * len(panels)))
    axes = fig.subplots(len(panels), 2, squeeze=False, sharey="col")
    for pi, p in enumerate(panels):
        ax1, ax2 = axes[pi]
        where = ", ".join(f"{k} = {_label(v)}" for k, v in zip(extras, p))
        for gi, g in enumerate(groups):
            colour, style, marker = styles[gi]
            ax1.plot(days, grid[pi, gi], color=colour, ls=style, marker=marker, ms=5,
                     label=_label(g) if other else None)
        ax1.set(xlabel="injection day", ylabel=outcome, title=f"treatment window, {where}" if extras else "treatment window")
        if other:
            _legend_beside(ax1, other)
        im = ax2.imshow(grid[pi], aspect="auto", origin="lower", cmap="viridis", vmin=lo, vmax=hi)
        ax2.set_xticks(range(len(days)), [f"{d:g}" for d in days], rotation=45, fontsize=8)
        ax2.set_yticks(range(len(groups)), [_label(g) for g in groups] if other else [""])
        ax2.set(xlabel="injection day", ylabel=other or "", title=f"{outcome}, {where}" if extras else outcome)
        fig.colorbar(im, ax=ax2)
    fig.tight_layout()
    with cli.writing(out_png):
        fig.savefig(out_png)
    return out_png, {"days": days, "groups": groups, "extras": extras, "panels": panels, "values": grid,
                     "styles": styles, "notes": notes}


def window_scatter(rows, out_png, outcome, day_key, other, extras=()):
    """One point per run: the outcome against the injection day, coloured by `other` (a colour bar
    for numbers, with the base config's value grey; when it takes words, a colour and marker per
    value, group_style, in a legend beside the axes); the title names the varied keys the colour
    does not show."""
    x, y = _num(rows, day_key), _num(rows, outcome)
    c = _num(rows, other) if other else None
    fig = _figure((8, 4.5))
    ax = fig.subplots()
    values = sorted({r[other] for r in rows}, key=_order) if other else []
    if not other:
        ax.scatter(x, y, s=12)
    elif any(_order(v)[0] == 2 for v in values):
        for i, v in enumerate(values):
            pick = np.array([r[other] == v for r in rows])
            colour, _, marker = group_style(i)
            ax.scatter(x[pick], y[pick], s=14, color=colour, marker=marker, label=_label(v))
        _legend_beside(ax, other)
    else:
        num = np.isfinite(c)
        sc = ax.scatter(x[num], y[num], c=c[num], s=12, cmap="viridis")
        fig.colorbar(sc, ax=ax, label=other)
        if not num.all():
            ax.scatter(x[~num], y[~num], s=12, color="0.5", label=f"{other} = base config")
            ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.08), borderaxespad=0.0, frameon=False)
    also = f"; also varied: {', '.join(extras)}" if extras else ""
    ax.set(xlabel="injection day", ylabel=outcome, title=f"treatment window ({len(rows)} runs{also})")
    fig.tight_layout()
    with cli.writing(out_png):
        fig.savefig(out_png)
    return out_png, {"days": x, "values": y, "colour": c}


def _empty(ax, text, title):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.4")
    ax.set(title=title, xticks=[], yticks=[])


def cohort_plots(rows, out_png, outcome="benefit_thickness_points"):
    """Untreated progression, `outcome` (default the benefit) per arm, early against late per
    patient, from the rows done.
    The arms are taken in design order from every row (the first is the untreated history), so a
    cohort whose untreated rows are not done does not take its first treated arm for it. A panel
    without data says so (a partial cohort with only untreated rows done made boxplot raise); what
    is left out is counted in data["notes"]; ValueError when nothing is left to draw."""
    arms = []
    for r in rows:
        if r["arm"] not in arms:
            arms.append(r["arm"])
    untreated, treated = arms[0], arms[1:]
    notes = [f"arm {a}: {n}" for a in arms for n in [_not_done([r for r in rows if r["arm"] == a], "drawn")] if n]
    done = [r for r in rows if r["status"] == "done"]
    loss = _num([r for r in done if r["arm"] == untreated], "thickness_loss_pct")
    loss = loss[np.isfinite(loss)]
    label = "benefit at the horizon (points)" if outcome == "benefit_thickness_points" else outcome
    short = "benefit" if outcome == "benefit_thickness_points" else outcome
    benefit = {}
    for a in treated:
        arm = [r for r in done if r["arm"] == a]
        benefit[a] = {int(r["patient"]): _float(r[outcome]) for r in arm if math.isfinite(_float(r[outcome]))}
        if len(benefit[a]) < len(arm):
            notes.append(f"arm {a}: {len(arm) - len(benefit[a])} completed row(s) without a {outcome} "
                         "value not drawn")
    drawn = [a for a in treated if benefit[a]]
    if not loss.size and not drawn:
        raise ValueError("nothing to draw in the cohort: no completed untreated row with a thickness loss and no "
                         f"completed treated row with a {outcome} value")
    fig = _figure((13, 4.2))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    if loss.size:
        ax1.hist(loss, bins=15, color="0.5")
        ax1.set(xlabel="thickness lost at the horizon, untreated (%)", ylabel="patients", title="progression")
    else:
        _empty(ax1, f"no completed {untreated} row", "progression")
    if drawn:
        ax2.boxplot([list(benefit[a].values()) for a in drawn], labels=[f"{a} (n = {len(benefit[a])})" for a in drawn])
        ax2.set(ylabel=label, title=f"{short} per arm")
    else:
        _empty(ax2, f"no completed treated row with a {outcome} value", f"{short} per arm")
    plotted = {"loss": loss, "benefit": benefit, "notes": notes}
    if len(treated) >= 2:
        a, b = treated[0], treated[1]
        pts = sorted(set(benefit[a]) & set(benefit[b]))
        if pts:
            xa, xb = [benefit[a][p] for p in pts], [benefit[b][p] for p in pts]
            ax3.scatter(xa, xb)
            lo, hi = min(xa + xb + [0]), max(xa + xb + [1])
            ax3.plot([lo, hi], [lo, hi], "k--", lw=1)
            unit = " (points)" if outcome == "benefit_thickness_points" else ""
            ax3.set(xlabel=f"{short}, {a}{unit}", ylabel=f"{short}, {b}{unit}", title="per patient")
            plotted["pairs"] = (xa, xb)
        else:
            _empty(ax3, f"no patient with both {a} and {b} done", "per patient")
    else:  # one treated arm: nothing to pair (the panel was a bare axis)
        _empty(ax3, "one treated arm: nothing to compare per patient", "per patient")
        plotted["notes"] = notes + ["one treated arm: the per-patient panel pairs two arms"]
    fig.tight_layout()
    with cli.writing(out_png):
        fig.savefig(out_png)
    return out_png, plotted


def main(argv=None):
    ap = cli.ArgumentParser(prog="python3 -m postprocess.sweep_plots", name="sweep_plots", description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--outcome", default=None, help="the outcome of every figure (window map, a cohort's per-arm panels, sensitivity); "
                    "default: benefit_thickness_points if present, else thickness_loss_pct")
    ap.add_argument("-o", "--out", default=None, help="where the figures go (default: DIR)")
    args = ap.parse_args(argv)
    path = os.path.join(args.dir, "summary.csv")
    if not os.path.exists(path):
        print(f"sweep_plots: error: no {path} (run cartsim sweep first)", file=sys.stderr)
        return 4
    try:
        rows = read_summary(path)
    except UnreadableInput as e:
        print(f"sweep_plots: error: {e}", file=sys.stderr)
        return 2
    out = cli.output_dir("sweep_plots", args.out or args.dir)
    done = [r for r in rows if r["status"] == "done"]
    if not done:
        print(f"sweep_plots: error: {path} has no completed rows", file=sys.stderr)
        return 3
    has_benefit = any(math.isfinite(_float(r.get("benefit_thickness_points", "nan"))) for r in done)
    outcome = args.outcome or ("benefit_thickness_points" if has_benefit else "thickness_loss_pct")
    if outcome not in outcome_columns(rows):
        print(f"sweep_plots: error: --outcome {outcome}: not an outcome column of {path} "
              f"(one of: {', '.join(outcome_columns(rows))})", file=sys.stderr)
        return 3
    figures = []
    if "arm" in rows[0]:
        figures.append(lambda: cohort_plots(rows, os.path.join(out, "cohort.png"), outcome))
    elif DAY in rows[0]:
        design = design_type(args.dir)
        figures.append(lambda: window_map(rows, os.path.join(out, "window.png"), outcome, design=design))
    if "trajectory" in rows[0] or "sample" in rows[0]:
        def sensitivity():
            kind, res, notes = analyse(args.dir, outcome)
            png, data = sensitivity_plot(res, kind, outcome, os.path.join(out, f"sensitivity_{outcome}.png"))
            return png, dict(data, notes=notes)
        figures.append(sensitivity)
    errors = []
    for draw in figures:  # each figure that can be drawn is, with what it left out said on stderr
        try:
            png, data = draw()
        except (ValueError, KeyError) as e:  # e.g. an outcome without a value in any run
            errors.append(str(e))
            continue
        print(f"wrote {png}")
        for note in data.get("notes", []):
            print(f"sweep_plots: note: {os.path.basename(png)}: {note}", file=sys.stderr)
    for e in errors:
        print(f"sweep_plots: error: {e}", file=sys.stderr)
    if errors:
        return 3
    if not figures:
        print("sweep_plots: nothing to draw for this design (no injection day, cohort or sensitivity columns)")
    return 0

if __name__ == "__main__":
    sys.exit(cli.run("sweep_plots", main))
