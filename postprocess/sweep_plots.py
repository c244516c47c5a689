"""Figures from a cartsim sweep's summary.csv.

    /usr/bin/python3 -m postprocess.sweep_plots DIR [--outcome benefit_thickness_points] [-o OUTDIR]

picks what fits the design: a treatment-window map when `treatments[0].day`
varies (benefit against injection day, one curve per value of the next
varied key and a heat map, one row of panels per value of any further
varied keys), cohort plots when the summary has patient/arm
columns (progression of the untreated arm, benefit per arm, early against
late per patient), and the Morris/Sobol sensitivity when the design has
trajectory/step or sample/block columns (postprocess.sensitivity).
Every function returns (path, plotted data) so tests can check the numbers.
"""
import argparse
import math
import os
import sys

import numpy as np

from . import cli
from .sensitivity import analyse, outcome_columns, plot as sensitivity_plot, read_summary

DAY = "treatments[0].day"


def _figure(size=(8, 4.5)):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    return Figure(figsize=size, dpi=100)


def _num(rows, key):
    return np.array([float(r[key]) if r[key] not in ("", "nan") else math.nan for r in rows])


# A grid or list design gets curves and heat maps; sampled days (LHS, Sobol, Morris), or more values
# than these, are a scatter.
MAX_DAYS, MAX_GROUPS, MAX_PANELS = 60, 12, 6


def _order(value):
    """Sort key of a varied key's values: numbers in order, then words (e.g. treatments[0].type)."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def window_map(rows, out_png, outcome="benefit_thickness_points", day_key=DAY):
    """Outcome against injection day: curves per value of the next varied key and a heat map, one
    row of panels per value (combination) of any further varied keys (a grid over day x k_c x V_s
    drew each cell from whichever V_s row came last); a scatter coloured by the next key when the
    days or the values are sampled (thousands of distinct values made a heat map of N x N cells:
    654 MB for a 2048-sample Sobol design) or when runs share a cell."""
    rows = [r for r in rows if r["status"] == "done"]
    keys = [k for k in rows[0] if ("." in k or "[" in k) and k != day_key]
    other, extras = (keys[0], keys[1:]) if keys else (None, [])
    days = sorted({float(r[day_key]) for r in rows})
    groups = sorted({r[other] for r in rows}, key=_order) if other else [""]
    panels = sorted({tuple(r[k] for k in extras) for r in rows}, key=lambda p: [_order(v) for v in p])
    cells = {}
    for r in rows:
        cells.setdefault((tuple(r[k] for k in extras), r[other] if other else "", float(r[day_key])), []).append(r)
    if (len(days) > MAX_DAYS or len(groups) > MAX_GROUPS or len(panels) > MAX_PANELS
            or any(len(c) > 1 for c in cells.values())):
        return window_scatter(rows, out_png, outcome, day_key, other, extras)
    grid = np.full((len(panels), len(groups), len(days)), math.nan)
    for (p, g, d), (r,) in cells.items():
        grid[panels.index(p), groups.index(g), days.index(d)] = float(r[outcome])
    finite = grid[np.isfinite(grid)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (None, None)  # one colour scale for every panel
    fig = _figure((11, 4.5 * len(panels)))
    axes = fig.subplots(len(panels), 2, squeeze=False, sharey="col")
    for pi, p in enumerate(panels):
        ax1, ax2 = axes[pi]
        where = ", ".join(f"{k} = {v}" for k, v in zip(extras, p))
        for gi, g in enumerate(groups):
            ax1.plot(days, grid[pi, gi], "o-", label=f"{other} = {g}" if other else None)
        ax1.set(xlabel="injection day", ylabel=outcome, title=f"treatment window, {where}" if extras else "treatment window")
        if other:
            ax1.legend(fontsize=8)
        im = ax2.imshow(grid[pi], aspect="auto", origin="lower", cmap="viridis", vmin=lo, vmax=hi)
        ax2.set_xticks(range(len(days)), [f"{d:g}" for d in days], rotation=45, fontsize=8)
        ax2.set_yticks(range(len(groups)), groups if other else [""])
        ax2.set(xlabel="injection day", ylabel=other or "", title=f"{outcome}, {where}" if extras else outcome)
        fig.colorbar(im, ax=ax2)
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png, {"days": days, "groups": groups, "extras": extras, "panels": panels, "values": grid}


def window_scatter(rows, out_png, outcome, day_key, other, extras=()):
    """One point per run: the outcome against the injection day, coloured by `other`; the title
    names the varied keys the colour does not show."""
    x, y = _num(rows, day_key), _num(rows, outcome)
    c = _num(rows, other) if other else None
    fig = _figure((8, 4.5))
    ax = fig.subplots()
    sc = ax.scatter(x, y, c=c, s=12, cmap="viridis" if other else None)
    if other:
        fig.colorbar(sc, ax=ax, label=other)
    also = f"; also varied: {', '.join(extras)}" if extras else ""
    ax.set(xlabel="injection day", ylabel=outcome, title=f"treatment window ({len(rows)} runs{also})")
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png, {"days": x, "values": y, "colour": c}


def cohort_plots(rows, out_png):
    """Untreated progression, benefit per arm, early against late per patient."""
    done = [r for r in rows if r["status"] == "done"]
    arms = []
    for r in done:
        if r["arm"] not in arms:
            arms.append(r["arm"])
    untreated = arms[0]
    loss = _num([r for r in done if r["arm"] == untreated], "thickness_loss_pct")
    benefit = {a: {int(r["patient"]): float(r["benefit_thickness_points"]) for r in done if r["arm"] == a}
               for a in arms[1:]}
    fig = _figure((13, 4.2))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    ax1.hist(loss, bins=15, color="0.5")
    ax1.set(xlabel="thickness lost at the horizon, untreated (%)", ylabel="patients", title="progression")
    ax2.boxplot([list(benefit[a].values()) for a in arms[1:]], labels=arms[1:])
    ax2.set(ylabel="benefit at the horizon (points)", title="benefit per arm")
    plotted = {"loss": loss, "benefit": benefit}
    if len(arms) >= 3:
        a, b = arms[1], arms[2]
        pts = sorted(set(benefit[a]) & set(benefit[b]))
        xa, xb = [benefit[a][p] for p in pts], [benefit[b][p] for p in pts]
        ax3.scatter(xa, xb)
        top = max(xa + xb + [1])
        ax3.plot([0, top], [0, top], "k--", lw=1)
        ax3.set(xlabel=f"benefit, {a} (points)", ylabel=f"benefit, {b} (points)", title="per patient")
        plotted["pairs"] = (xa, xb)
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png, plotted


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m postprocess.sweep_plots", description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--outcome", default=None, help="default: benefit_thickness_points if present, else thickness_loss_pct")
    ap.add_argument("-o", "--out", default=None, help="where the figures go (default: DIR)")
    args = ap.parse_args(argv)
    path = os.path.join(args.dir, "summary.csv")
    if not os.path.exists(path):
        print(f"sweep_plots: error: no {path} (run cartsim sweep first)", file=sys.stderr)
        return 4
    rows = read_summary(path)
    out = cli.output_dir("sweep_plots", args.out or args.dir)
    done = [r for r in rows if r["status"] == "done"]
    if not done:
        print(f"sweep_plots: error: {path} has no completed rows", file=sys.stderr)
        return 3
    has_benefit = any(math.isfinite(float(r["benefit_thickness_points"])) for r in done)
    outcome = args.outcome or ("benefit_thickness_points" if has_benefit else "thickness_loss_pct")
    if outcome not in outcome_columns(rows):
        print(f"sweep_plots: error: --outcome {outcome}: not an outcome column of {path} "
              f"(one of: {', '.join(outcome_columns(rows))})", file=sys.stderr)
        return 3
    made = []
    if "arm" in rows[0]:
        made.append(cohort_plots(rows, os.path.join(out, "cohort.png"))[0])
    elif DAY in rows[0]:
        made.append(window_map(rows, os.path.join(out, "window.png"), outcome)[0])
    if "trajectory" in rows[0] or "sample" in rows[0]:
        try:
            kind, res = analyse(args.dir, outcome)
        except (ValueError, KeyError) as e:  # e.g. an outcome without a value in any run
            print(f"sweep_plots: error: {e}", file=sys.stderr)
            return 3
        made.append(sensitivity_plot(res, kind, outcome, os.path.join(out, f"sensitivity_{outcome}.png"))[0])
    for m in made:
        print(f"wrote {m}")
    if not made:
        print("sweep_plots: nothing to draw for this design (no injection day, cohort or sensitivity columns)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run("sweep_plots", main))
