"""Numbers derived from runs: the horizon, treatment benefit, retention, c80.

All functions take reader.Run objects and compute from the time series, so a
figure, the summary table and the report always show the same values.

benefit_points: the thickness of a branch minus the untreated thickness at
the horizon, in percentage points of the untreated initial thickness:
    100 (th_branch(T) - th_untreated(T)) / th_untreated(t0)
"""

import math

import numpy as np

from .reader import DAYS_PER_YEAR


def first_treatment(run, kind=None):
    """The first treatment (dict) of the run, optionally of a given type; None if none."""
    items = [t for t in run.treatments if kind is None or t.get("type") == kind]
    return min(items, key=lambda t: t.get("day", math.inf)) if items else None


def injection_day(run):
    """Day of the run's first treatment, or None."""
    t = first_treatment(run)
    return t["day"] if t else None


def horizon(runs):
    """The common comparison time: the latest day every complete run reached
    (a failed or interrupted run that stopped early does not pull the
    comparison back to its last day; its values there are NaN). All runs if
    none is complete."""
    runs = list(runs)
    done = [r for r in runs if r.complete] or runs
    return min(r.end_day for r in done)


def knee_differences(run, other, limit=3):
    """The model, grid and initial values in which two runs differ, as
    "name a vs b" strings (at most `limit`): a benefit of one over the other
    compares two different knees unless this is empty."""
    pa, pb = run.parameters, other.parameters
    out = []
    for key in sorted(set(pa) & set(pb)):
        if "." in key and not key.startswith(("grid.", "initial.")):
            continue  # solver, output and run settings do not change the knee
        a, b = pa[key][0], pb[key][0]
        if isinstance(a, float) and isinstance(b, float):
            same = a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
        else:
            same = a == b
        if not same:
            out.append(f"{key} {a:g} vs {b:g}" if isinstance(a, float) and isinstance(b, float)
                       else f"{key} {a} vs {b}")
            if len(out) == limit:
                break
    return out


def value_at(run, name, day):
    """Time series `name` linearly interpolated at `day` (NaN outside the run)."""
    t = run.time
    if day < t[0] - 1e-9 or day > t[-1] + 1e-9:
        return math.nan
    return float(np.interp(day, t, run.series(name)))


def initial_thickness(run):
    return float(run.series("thickness")[0])


def benefit_points(branch, untreated, day=None):
    """Thickness gain of `branch` over `untreated` at `day` (default: the common
    horizon), percentage points of the untreated initial thickness."""
    if day is None:
        day = horizon([branch, untreated])
    th0 = initial_thickness(untreated)
    return 100.0 * (value_at(branch, "thickness", day) - value_at(untreated, "thickness", day)) / th0


def years_to_c80(run, history=None):
    """First time mean collagen falls below 0.8, in years (NaN: never in the run, or, for a
    branch that starts below 0.8 without its `history`, before the run began). A branch that
    starts later takes the crossing from `history` if it came first: the history's rows before
    the branching day and the branch's rows are one series, so a crossing between the history's
    last output step and the branching day is interpolated between them (it was NaN: the
    history alone had not crossed yet and the branch started below 0.8)."""
    if history is run:
        history = None
    t, c = run.time, run.series("mean_c")
    if history is not None:
        ht, hc = history.time, history.series("mean_c")
        keep = ht < run.start_day - 1e-9
        t, c = np.concatenate([ht[keep], t]), np.concatenate([hc[keep], c])
    below = np.nonzero(c < 0.8)[0]
    if not len(below):
        return math.nan
    i = below[0]
    if i == 0:  # below from the first row: the crossing is that day only for a run from day 0
        return t[0] / DAYS_PER_YEAR if t[0] <= 0 else math.nan
    w = (c[i - 1] - 0.8) / (c[i - 1] - c[i])
    return (t[i - 1] + w * (t[i] - t[i - 1])) / DAYS_PER_YEAR


def msc_retained(run, days_after=30.0):
    """Fraction of injected MSCs still in the joint `days_after` the first MSC
    injection: msc_in_joint / msc_injected (NaN: no MSC injection or run too short).
    Interpolated linearly between output steps: /outcomes/msc_retained_30d and _180d are the
    values at that very day, so they differ (about 1e-3 relative at output every 5 days) when
    the day is not an output step (an injection at day 183.7); prefer them where present
    (outcome_or(run, "msc_retained_30d", ...))."""
    t = first_treatment(run, "msc")
    if t is None:
        return math.nan
    day = t["day"] + days_after
    injected = value_at(run, "msc_injected", day)
    if not injected or math.isnan(injected):
        return math.nan
    return value_at(run, "msc_in_joint", day) / injected


def outcome_or(run, name, fallback):
    """The run's /outcomes value if present and finite, else fallback()."""
    try:
        v = run.outcomes.get(name)
    except Exception:  # noqa: BLE001 - a running file may have no /outcomes yet
        v = None
    if v is not None and not math.isnan(v):
        return v
    return fallback()


def find_untreated(runs, label="untreated"):
    """The untreated run of a label->Run dict: by label, else a run without
    treatments, a complete one before one that failed or was interrupted
    (a failed one-row run has no treatments either and would make every
    benefit NaN)."""
    if label in runs:
        return runs[label]
    candidates = [r for r in runs.values() if not r.treatments]
    for r in candidates:
        if r.complete:
            return r
    return candidates[0] if candidates else None
