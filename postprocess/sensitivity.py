"""Sensitivity analysis of a cartsim sweep (Morris and Sobol designs).

    /usr/bin/python3 -m postprocess.sensitivity DIR [--outcome thickness_loss_pct] [--boot 500]

reads DIR/summary.csv and DIR/sweep.yaml (for the factor ranges), writes
DIR/sensitivity_<outcome>.csv and DIR/sensitivity_<outcome>.png and prints
the table.

Estimators (no packaged library provides them here; tested on functions
with known indices in tests/sweep_analysis):
- Morris: elementary effects EE = (y_s - y_{s-1}) / delta, with delta the
  change of the factor in unit coordinates (log space for log ranges);
  mu* = mean |EE|, sigma = std EE over trajectories; a bootstrap over
  trajectories gives the 95 % interval of mu*. Only consecutive steps of a
  trajectory make an effect (a failed or pending row drops the two effects
  around it); n counts the effects (sigma and the interval need 2).
- Sobol (Saltelli design: rows A, B, AB_i per base sample):
  first order S1_i = mean(y_B (y_ABi - y_A)) / V   (Saltelli 2010),
  total ST_i = mean((y_A - y_ABi)^2) / (2 V)       (Jansen 1999),
  V = var of y_A and y_B together; bootstrap over samples for 95 % intervals;
  only complete samples count (n: A, B and every AB_i done, with a value).
"""
import csv
import math
import os
import sys

import numpy as np

from . import cli


class UnreadableInput(ValueError):
    """summary.csv or sweep.yaml is not what cartsim sweep writes (damaged, another file):
    exit 2, as an unreadable input (docs/exit-codes.md)."""


def read_summary(path):
    """Rows of summary.csv as dicts (strings); UnreadableInput naming the file when it
    is not a cartsim sweep summary."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as err:
        raise UnreadableInput(f"{path}: not a cartsim sweep summary ({err})") from None
    if rows and not {"id", "status"} <= set(rows[0]):
        raise UnreadableInput(f"{path}: not a cartsim sweep summary (no id and status columns)")
    return rows


def read_ranges(sweep_yaml):
    """{factor: (min, max, log)} from the sweep file's design.ranges; UnreadableInput
    naming the file when it cannot be parsed or lacks them."""
    import yaml
    try:
        with open(sweep_yaml, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        out = {}
        for key, r in (spec.get("design", {}).get("ranges") or {}).items():
            out[key] = (float(r["min"]), float(r["max"]), r.get("scale", "linear") == "log")
        return out
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UnreadableInput(f"{sweep_yaml}: cannot parse: {first}") from None
    except (AttributeError, TypeError, KeyError, ValueError) as err:
        raise UnreadableInput(f"{sweep_yaml}: not a cartsim sweep file (design.ranges: {err})") from None


def unit(value, rng):
    lo, hi, log = rng
    return (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo)) if log else (value - lo) / (hi - lo)


def _ci(samples):
    return float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5))


def morris(rows, factors, ranges, outcome, boot=500, seed=1):
    """{factor: (mu_star, sigma, ci_low, ci_high, n)} from trajectory/step/block rows; n is the
    number of elementary effects (sigma is nan below 2). Only consecutive steps of a trajectory
    make an effect: with a step missing (failed, or another task's and pending) the two rows
    around it differ in two factors."""
    traj = {}
    for r in rows:
        traj.setdefault(int(r["trajectory"]), []).append(r)
    effects = {f: [] for f in factors}  # per trajectory: one EE per factor
    per_traj = []
    for t in sorted(traj):
        steps = sorted(traj[t], key=lambda r: int(r["step"]))
        ee_t = {}
        for prev, cur in zip(steps, steps[1:]):
            if int(cur["step"]) != int(prev["step"]) + 1:
                continue
            f = cur["block"]
            dy = float(cur[outcome]) - float(prev[outcome])
            dx = unit(float(cur[f]), ranges[f]) - unit(float(prev[f]), ranges[f])
            if math.isfinite(dy) and dx != 0:
                ee_t[f] = dy / dx
                effects[f].append(dy / dx)
        per_traj.append(ee_t)
    rng = np.random.default_rng(seed)
    out = {}
    for f in factors:
        ee = np.array(effects[f])
        if ee.size == 0:
            out[f] = (math.nan, math.nan, math.nan, math.nan, 0)
            continue
        mu = float(np.mean(np.abs(ee)))
        sigma = float(np.std(ee, ddof=1)) if ee.size > 1 else math.nan
        bs = []
        for _ in range(boot):
            pick = rng.integers(0, len(per_traj), len(per_traj))
            vals = [abs(per_traj[i][f]) for i in pick if f in per_traj[i]]
            if vals:
                bs.append(np.mean(vals))
        lo, hi = _ci(bs) if bs and ee.size > 1 else (math.nan, math.nan)
        out[f] = (mu, sigma, lo, hi, int(ee.size))
    return out


def sobol_indices(yA, yB, yAB):
    """S1 and ST for arrays yA, yB (N,) and yAB (N, k). S1 is Saltelli's (2010)
    mean of f(B) (f(AB_i) - f(A)) with f(B) taken about the mean of the A and
    B values: the same expectation (f(AB_i) - f(A) has mean 0), but the
    estimate no longer depends on the outcome's level (a loss near 18 % with
    a spread of 1 gave S1 = 290 at 4 samples)."""
    yAll = np.concatenate([yA, yB])
    V = np.var(yAll, ddof=1)
    S1 = np.mean((yB - yAll.mean())[:, None] * (yAB - yA[:, None]), axis=0) / V
    ST = 0.5 * np.mean((yA[:, None] - yAB) ** 2, axis=0) / V
    return S1, ST


def sobol(rows, factors, outcome, boot=500, seed=1):
    """{factor: (S1, S1_lo, S1_hi, ST, ST_lo, ST_hi, n)} from sample/block rows; n is the number
    of complete base samples (A, B and every AB_i done, with a value), the same for every factor."""
    by = {}
    for r in rows:
        by.setdefault(int(r["sample"]), {})[r["block"]] = float(r[outcome])
    samples = [s for s in sorted(by) if all(b in by[s] for b in ["A", "B", *factors])
               and all(math.isfinite(by[s][b]) for b in ["A", "B", *factors])]
    if len(samples) < 2:
        raise ValueError(f"--outcome {outcome}: {len(samples)} complete Sobol sample(s) of {len(by)} (rows A, B "
                         "and every AB_i done, with a value); at least 2 are needed")
    yA = np.array([by[s]["A"] for s in samples])
    yB = np.array([by[s]["B"] for s in samples])
    yAB = np.array([[by[s][f] for f in factors] for s in samples])
    if np.ptp(np.concatenate([yA, yB])) == 0:
        raise ValueError(f"--outcome {outcome}: {yA[0]:g} in every A and B row of the {len(samples)} complete Sobol "
                         "samples: with no variance the indices are undefined")
    S1, ST = sobol_indices(yA, yB, yAB)
    rng = np.random.default_rng(seed)
    bs1, bst = [], []
    for _ in range(boot):
        i = rng.integers(0, len(samples), len(samples))
        a, b = sobol_indices(yA[i], yB[i], yAB[i])
        bs1.append(a)
        bst.append(b)
    bs1, bst = np.array(bs1), np.array(bst)
    return {f: (float(S1[k]), *_ci(bs1[:, k]), float(ST[k]), *_ci(bst[:, k]), len(samples))
            for k, f in enumerate(factors)}


def plot(result, kind, outcome, out_png):
    """Morris mu*/sigma scatter or Sobol S1/ST bars with intervals; returns (path, plotted)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    fig = Figure(figsize=(7.5, 4.5), dpi=100)
    ax = fig.add_subplot()
    names = list(result)
    if kind == "morris":
        mu = [result[f][0] for f in names]
        sg = [result[f][1] for f in names]
        ax.scatter(mu, sg)
        for f, x, y in zip(names, mu, sg):
            if math.isfinite(x) and math.isfinite(y):  # a factor without an effect, or with one, is not drawn
                ax.annotate(f, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=9)
        ax.set(xlabel=f"mu* (mean |elementary effect| on {outcome})", ylabel="sigma (interactions, nonlinearity)",
               title="Morris screening")
        plotted = {"mu_star": mu, "sigma": sg, "factors": names}
    else:
        x = np.arange(len(names))
        s1 = [result[f][0] for f in names]
        st = [result[f][3] for f in names]
        e1 = np.array([[s - result[f][1], result[f][2] - s] for f, s in zip(names, s1)]).T
        et = np.array([[s - result[f][4], result[f][5] - s] for f, s in zip(names, st)]).T
        ax.bar(x - 0.2, s1, 0.4, yerr=e1, label="first order S1")
        ax.bar(x + 0.2, st, 0.4, yerr=et, label="total ST")
        ax.set_xticks(x, names, rotation=15)
        ax.set(ylabel="Sobol index", title=f"Sobol indices of {outcome} (95 % bootstrap intervals)")
        ax.legend()
        plotted = {"S1": s1, "ST": st, "factors": names}
    fig.tight_layout()
    with cli.writing(out_png):
        fig.savefig(out_png)
    return out_png, plotted


def analyse(sweep_dir, outcome, boot=500):
    """(kind, {factor: values}, notes) from the rows done (failed, pending, or any other status such
    as stale is not used); ValueError when there is nothing to analyse: no row done, an outcome
    without values, no Morris elementary effect of any factor, fewer than 2 complete Sobol samples.
    The notes say what was left out: rows not done, factors without an effect or with one."""
    path = os.path.join(sweep_dir, "summary.csv")
    every = read_summary(path)
    rows = [r for r in every if r["status"] == "done"]
    left = {}
    for r in every:
        if r["status"] != "done":
            left[r["status"]] = left.get(r["status"], 0) + 1
    not_done = ", ".join(f"{n} {st}" for st, n in sorted(left.items()))
    notes = [f"{len(every) - len(rows)} of {len(every)} rows not done ({not_done}): not used"] if left else []
    if not rows:
        raise ValueError(f"{sweep_dir}: no completed rows in summary.csv")
    if outcome not in outcome_columns(rows):
        raise ValueError(f"--outcome {outcome}: not an outcome column of {path} "
                         f"(one of: {', '.join(outcome_columns(rows))})")
    if all(math.isnan(float(r[outcome])) for r in rows):
        raise ValueError(f"--outcome {outcome}: no completed row of {path} has a value (all nan; "
                         "years_to_c80, for one, is nan when no run reached the threshold)")
    ranges = read_ranges(os.path.join(sweep_dir, "sweep.yaml"))
    factors = list(ranges)
    if "trajectory" in rows[0]:
        res = morris(rows, factors, ranges, outcome, boot)
        if all(v[4] == 0 for v in res.values()):  # an all-nan table and figure, exit 0, before
            raise ValueError(f"--outcome {outcome}: no Morris elementary effect in {path}: {len(rows)} of {len(every)} "
                             "rows done, but an effect needs two consecutive steps of a trajectory done with a "
                             f"value{f' ({not_done})' if left else ''}")
        notes += [f"no elementary effect of {f} (n = 0): its mu*, sigma and interval are nan" for f, v in res.items()
                  if v[4] == 0]
        notes += [f"one elementary effect of {f} (n = 1): its sigma and interval are nan" for f, v in res.items()
                  if v[4] == 1]
        return "morris", res, notes
    if "sample" in rows[0]:
        return "sobol", sobol(rows, factors, outcome, boot), notes
    raise ValueError(f"{sweep_dir}: not a morris or sobol design (no trajectory or sample column)")


def outcome_columns(rows):
    """The /outcomes columns of summary.csv: those after the solver counters (docs/sweeps.md;
    after `status` in a summary without them)."""
    cols = list(rows[0])
    for last in ("krylov_iters", "status"):
        if last in cols:
            return cols[cols.index(last) + 1:]
    return cols


def main(argv=None):
    ap = cli.ArgumentParser(prog="python3 -m postprocess.sensitivity", name="sensitivity", description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="a cartsim sweep directory (summary.csv, sweep.yaml)")
    ap.add_argument("--outcome", default="thickness_loss_pct")
    ap.add_argument("--boot", type=int, default=500, help="bootstrap resamples for the intervals (>= 1)")
    args = ap.parse_args(argv)
    if args.boot < 1:
        ap.error(f"--boot {args.boot}: must be at least 1")
    if not os.path.exists(os.path.join(args.dir, "summary.csv")):
        print(f"sensitivity: error: no {os.path.join(args.dir, 'summary.csv')} (run cartsim sweep first)",
              file=sys.stderr)
        return 4
    cli.output_dir("sensitivity", args.dir)  # the .csv and .png go there
    try:
        kind, res, notes = analyse(args.dir, args.outcome, args.boot)
    except UnreadableInput as e:
        print(f"sensitivity: error: {e}", file=sys.stderr)
        return 2
    except (ValueError, KeyError) as e:
        print(f"sensitivity: error: {e}", file=sys.stderr)
        return 3
    for note in notes:
        print(f"sensitivity: note: {note}", file=sys.stderr)
    # the figure first: a full disk then leaves neither a new .csv beside an old .png nor a partial .csv
    png, _ = plot(res, kind, args.outcome, os.path.join(args.dir, f"sensitivity_{args.outcome}.png"))
    csv_path = os.path.join(args.dir, f"sensitivity_{args.outcome}.csv")
    cols = (["mu_star", "sigma", "mu_star_lo", "mu_star_hi", "n"] if kind == "morris"
            else ["S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi", "n"])
    tmp = csv_path + ".tmp"
    try:
        with cli.writing(csv_path), open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["factor", *cols])
            for fac, vals in res.items():
                w.writerow([fac, *[f"{v:.6g}" for v in vals]])
        os.replace(tmp, csv_path)
    except OSError:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    for fac, vals in res.items():
        print(f"{fac:>28} " + " ".join(f"{c}={v:.4g}" for c, v in zip(cols, vals)))
    print(f"wrote {csv_path} and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run("sensitivity", main))
