"""One self-contained HTML report of an early-versus-late comparison.

write_report(out_html, figures, runs, title) embeds every figure (PNG/GIF) as
a base64 data URI, uses inline CSS only and links to nothing, so the file can
be mailed or opened offline in a classroom. Every number in the text comes
from the runs (via metrics and plots.summary_table), never from constants;
the thresholds below (INFLAMED, ...) only choose the words: a claim such as
"the inflammation feeds itself" is made when the runs show it, and otherwise
the text says what the numbers show.
"""

import base64
import html
import math
import os
import re

import h5py
import numpy as np

from . import cli, metrics
from .plots import LAST_FRAME_MS, field_dims, format_number, format_points, lateral_mean, pretty_label, summary_table
from .reader import DAYS_PER_YEAR, CartsimFileError, to_str

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
    return format_points(v)


def _amount(v):
    """A positive percentage for the text: one decimal from 1 up, else two
    significant digits (0.17, 0.034: '0.0 % per year' hid a loss)."""
    return f"{v:.1f}" if abs(v) >= 1 else f"{v:.2g}"


# The defaults of model/params.c and model/initial.c (the model.md starting
# values): the run files store every value but not which were changed, and the
# report names the changed ones. A test keeps this copy equal to the C tables.
DEFAULTS = {
    "H": 2.4, "A_c": 12000, "V_s": 10, "D_P": 4.3, "D_R": 4.3, "D_Z": 0.86, "D_M": 1.3, "D_F": 2.0, "D_E": 1e-4,
    "h_m": 10, "kappa": 1, "K_P": 0.01, "K_R": 2.5, "K_F": 0.002, "sig_P0": 0.001, "sig_PP": 0.02, "sig_PF": 0.05,
    "del_P": 16.6, "sig_R0": 0, "q_RE": 2e-4, "chi": 1, "del_R": 16.6, "sig_Z0": 0.002, "sig_ZS": 1.0, "del_Z": 4.2,
    "sig_M0": 0.001, "sig_MS": 0.2, "del_M": 0.69, "gam_a": 0.001, "gam_c": 4.5, "k_wear": 0.003, "del_F": 0.1,
    "sig_a": 0.04, "K_syn": 0.002, "k_a": 0.1, "sig_aE": 0, "sig_c": 1.6e-5, "k_c": 0.016, "m_shield": 2,
    "sig_cE": 0, "mu_C": 2e-4, "k_dE": 0.01, "rho_C": 9626, "r_E": 0, "E_max": 1000, "mu_E": 0.02, "mu_ES": 2,
    "sig_s0": 0.07, "sig_ins": 0.6, "t_ins0": 0, "t_ins1": 120, "sig_sF": 1.0, "K_sF": 3e-4, "n_sF": 2, "K_MSC": 5e6,
    "k_cl": 9.4, "k_clF": 1, "sig_Rs0": 94, "lam_N": 0.2, "eps_syn": 0.0625, "lam_syn": 0.0155, "k_att": 1e-3,
    "beta_att": 5,
    "initial.a0": 1, "initial.c0": 1, "initial.Ch0": 1, "initial.P_s": 0.005, "initial.R_s": 10, "initial.F_s": 0,
    "initial.N": 0, "initial.N_syn": 0, "initial.lesion_radius": 0, "initial.lesion_depth": 0.5,
    "initial.lesion_xc": 0.5, "initial.lesion_yc": 0.5, "initial.lesion_a": 0.3, "initial.lesion_c": 0.7,
    "initial.lesion_Ch": 0.7,
}


def changed_parameters(run):
    """[(name, value, default, units, meaning)] for each model parameter and
    initial value of `run` that differs from DEFAULTS; `meaning` is the file's
    long_name without a trailing source or range, which belong to the default."""
    try:
        params = run.parameters
    except CartsimFileError:
        return []
    out = []
    for name, default in DEFAULTS.items():
        value, units = params.get(name, (None, ""))
        if not isinstance(value, float) or abs(value - default) <= 1e-9 * max(abs(value), abs(default)):
            continue
        out.append([name, value, float(default), units, ""])
    if out:
        try:
            with h5py.File(run.path, "r") as f:
                for row in out:
                    text = to_str(f["parameters/" + row[0].replace(".", "/")].attrs.get("long_name", ""))
                    text = re.sub(r"\s*\([^()]*\d[^()]*\)$", "", text)
                    row[4] = text if text != row[0] else ""
        except (OSError, KeyError):
            pass
    return [tuple(row) for row in out]


def _changes_note(changes):
    """The note naming the runs' parameters that are not the defaults."""
    items = []
    for name, value, default, units, meaning in changes:
        unit = f" {units}" if units and units not in ("1", "-") else ""
        items.append(f"{html.escape(name)}" + (f" ({html.escape(meaning)})" if meaning else "")
                     + f" = {value:g}{html.escape(unit)} instead of {default:g}")
    return ("<p class='note'>These runs do not use the model's default parameters: " + "; ".join(items)
            + ". What the text says is what these runs show, outside the default calibration.</p>")


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


# Thresholds that choose the words of the explanation (never printed: every
# number in the text is the runs'). Synovitis S_s is 0-1; the reference knee
# has 0.09 before the injury, 0.12 healthy and 0.64-0.67 chronically inflamed.
INFLAMED = 0.3             # synovitis at or above this: the joint is inflamed
CALMED = 0.5               # an injection calms the joint if, within CALM_DAYS, synovitis falls
CALM_DAYS = 90.0           #   below this fraction of its value at the injection
NOTICEABLE = 0.05          # a change of a mean fraction (aggrecan, collagen) this large is noticeable
INTACT = 0.98              # mean collagen at or above this: still nearly intact
COLLAGEN_BACK = 0.01       # mean collagen this much above its value at the injection: some came back
CLEAR_POINTS = 1.0         # benefits (percentage points) differing by less are "close"
MOSTLY_GONE = 0.5          # retention at 30 days below this: most cells are gone within a month
GONE = 0.01                # fewer than this fraction of the injected cells in the joint: the cells are gone
RETURNED = 0.9             # synovitis at or above this fraction of the untreated value: back to untreated
NEGLIGIBLE = 0.01          # MSCs raising R_s by less than this fraction, or turning less than this fraction into
                           #   cartilage cells, "add almost none" / "hardly any"
SAMPLED = 1.0              # days: a run file whose synovitis rows lie further apart after an injection cannot
                           #   show its lowest value (an MSC injection calms the synovium within a day)


def _param(run, name):
    """A model parameter of the run as a float, NaN if the file has none."""
    try:
        return float(run.parameter(name))
    except (CartsimFileError, TypeError, ValueError):
        return math.nan


def _at(run, name, day):
    """Time series `name` at `day`, NaN outside the run or without the series."""
    try:
        return metrics.value_at(run, name, day)
    except CartsimFileError:
        return math.nan


def _finite(*values):
    return all(v is not None and not math.isnan(v) for v in values)


def _settle_day(run, after, T, inflamed_before=False):
    """The first output day in [after, T] from which synovitis stays below
    INFLAMED up to T, after it was inflamed (in [after, T], earlier in the run,
    or before the run began: `inflamed_before`, a branch whose history was).
    NaN if it is inflamed at T, was never inflamed (nothing settled: a knee
    without an injury used to 'settle by day 0') or the run has no synovitis."""
    try:
        t, s = run.time, run.series("synovitis")
    except CartsimFileError:
        return math.nan
    before = s[t < after - 1e-9]
    keep = (t >= after - 1e-9) & (t <= T + 1e-9)
    t, s = t[keep], s[keep]
    if not len(s) or s[-1] >= INFLAMED:
        return math.nan
    above = np.nonzero(s >= INFLAMED)[0]
    if len(above):
        return float(t[above[-1] + 1])
    return float(t[0]) if inflamed_before or np.any(before >= INFLAMED) else math.nan


def _course(run, untreated, day, T):
    """What one treated run did, from its series (the untreated run's values
    on the injection day when there is one: the branch's first row is already
    treated): synovitis on the injection day (s_inj), its lowest within
    CALM_DAYS after (s_low), at the horizon (s_end) and the day from which it
    stays calm (s_settle); mean aggrecan and collagen on the injection day and
    at the horizon; the fraction of the injected MSCs still in the joint at the
    horizon (retained_end, NaN without MSCs). s_low is the lowest *written*
    value: s_step is the widest gap between the run's rows from the
    injection day to CALM_DAYS after it (NaN without rows after it); above
    SAMPLED days the file may miss the true lowest (it is then at most s_low)."""
    before = untreated if untreated is not None else run
    c = {"day": day, "s_inj": _at(before, "synovitis", day), "a_inj": _at(before, "mean_a", day),
         "c_inj": _at(before, "mean_c", day), "s_end": _at(run, "synovitis", T),
         "a_end": _at(run, "mean_a", T), "c_end": _at(run, "mean_c", T), "s_low": math.nan, "s_step": math.nan}
    c["s_settle"] = _settle_day(run, day, T, inflamed_before=_finite(c["s_inj"]) and c["s_inj"] >= INFLAMED)
    try:
        c["retained_end"] = metrics.msc_retained(run, T - day)
    except CartsimFileError:
        c["retained_end"] = math.nan
    try:
        t, s = run.time, run.series("synovitis")
        after = (t > day + 1e-9) & (t <= day + CALM_DAYS + 1e-9)
        window = s[after]
        if len(window):
            c["s_low"] = float(window.min())
            rows = np.concatenate(([day], t[after]))  # from the injection (the branch's first row) on
            c["s_step"] = float(np.diff(rows).max())
    except CartsimFileError:
        pass
    return c


def _washout(run, untreated, day):
    """(days until the IL-1Ra bolus is back to the joint fluid's level before
    it, half-life in hours) from the run's clearance k_cl and its R_s; NaN
    where the file lacks them."""
    k_cl = _param(run, "k_cl")
    peak = _at(run, "R_s", day)
    pre = _at(untreated, "R_s", day) if untreated is not None else math.nan
    days = math.log(peak / pre) / k_cl if _finite(k_cl, peak, pre) and k_cl > 0 and peak > pre > 0 else math.nan
    return days, (24 * math.log(2) / k_cl if _finite(k_cl) and k_cl > 0 else math.nan)


def key_numbers(runs, untreated_label="untreated"):
    """The numbers the explanation quotes, all from the runs:
    early/late MSC and IL-1Ra runs (by treatment type and day), their
    benefits, MSC retention at 30 and 180 days (retained_*: the early run,
    late_retained_*: the late one), horizon, thickness loss."""
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
    for name, prefix in (("early", ""), ("late", "late_")):  # the text quotes both injections' retention
        r = k[name][2] if k[name] is not None else None
        for days in (30, 180):
            k[f"{prefix}retained_{days}d"] = math.nan if r is None else metrics.outcome_or(
                r, f"msc_retained_{days}d", lambda r=r, days=days: metrics.msc_retained(r, days))
    k.update(_courses(k, untreated, T, runs))
    k["field_dims"] = field_dims(runs)
    first = untreated if untreated is not None else next(iter(runs.values()), None)
    k["changed_parameters"] = changed_parameters(first) if first is not None else []
    return k


def injury_window(run):
    """(t_ins0, t_ins1) of the run's injury flare, or None when it simulates none
    (sig_ins 0 or an empty window)."""
    t0, t1, sig = (_param(run, n) for n in ("t_ins0", "t_ins1", "sig_ins")) if run is not None else (math.nan,) * 3
    return (t0, t1) if _finite(t0, t1, sig) and sig > 0 and t1 > t0 else None


def _courses(k, untreated, T, runs):
    """The numbers behind the explanation's qualitative claims: the untreated
    knee's synovitis (start, peak in the injury window, horizon), aggrecan and
    collagen at the end of the injury (else the early injection), the
    parameters the text names, and each treated run's _course()."""
    any_run = untreated if untreated is not None else next(iter(runs.values()), None)
    sig = _param(any_run, "sig_ins") if any_run else math.nan
    sig_c = _param(any_run, "sig_c") if any_run else math.nan
    injury = injury_window(any_run)
    t0, t1 = injury if injury is not None else (math.nan, math.nan)
    c = {"injury": injury, "sig_ins": sig,
         "k_wear": _param(any_run, "k_wear") if any_run else math.nan,
         "collagen_half_life_years": math.log(2) / sig_c / DAYS_PER_YEAR if _finite(sig_c) and sig_c > 0
         else math.inf if sig_c == 0 else math.nan,
         "untreated_s_start": math.nan, "untreated_s_peak": math.nan, "untreated_s_end": math.nan,
         "untreated_s_settle": math.nan, "untreated_s_max": math.nan, "untreated_a_end": math.nan,
         "shield_day": math.nan, "shield_a": math.nan, "shield_c": math.nan}
    if untreated is not None:
        c["untreated_s_start"] = _at(untreated, "synovitis", untreated.start_day)
        c["untreated_s_end"] = _at(untreated, "synovitis", T)
        c["untreated_a_end"] = _at(untreated, "mean_a", T)
        try:
            t, s = untreated.time, untreated.series("synovitis")
            c["untreated_s_max"] = float(s[t <= T + 1e-9].max()) if np.any(t <= T + 1e-9) else math.nan
        except CartsimFileError:
            pass
        c["untreated_s_settle"] = _settle_day(untreated, t1 if c["injury"] is not None else untreated.start_day, T)
        if c["injury"] is not None:
            try:
                t, s = untreated.time, untreated.series("synovitis")
                inside = s[(t >= t0 - 1e-9) & (t <= t1 + 1e-9)]
                c["untreated_s_peak"] = float(inside.max()) if len(inside) else math.nan
            except CartsimFileError:
                pass
        day = c["injury"][1] if c["injury"] is not None else k["early"][0] if k["early"] is not None else math.nan
        if _finite(day):
            c.update(shield_day=day, shield_a=_at(untreated, "mean_a", day), shield_c=_at(untreated, "mean_c", day))
    for name in ("early", "late", "il1ra"):
        item = k[name]
        c[f"{name}_course"] = _course(item[2], untreated, item[0], T) if item is not None else None
    lows = []
    for run in runs.values():  # the least collagen any run had by the horizon
        try:
            t, mc = run.time, run.series("mean_c")
            lows += [float(np.nanmin(mc[t <= T + 1e-9]))] if np.any(t <= T + 1e-9) else []
        except CartsimFileError:
            pass
    c["min_mean_c"] = min(lows) if lows else math.nan
    c["il1ra_washout_days"], c["il1ra_half_life_hours"] = (
        _washout(k["il1ra"][2], untreated, k["il1ra"][0]) if k["il1ra"] is not None else (math.nan, math.nan))
    c.update(_msc_action([item[2] for item in (k["early"], k["late"]) if item is not None], untreated))
    return c


def _msc_action(runs, untreated):
    """What the injected cells themselves do in the MSC runs (the explanation
    and the inflammation caption say it, as the model has it): msc_rs_excess,
    the most R_s (anti-inflammatory factor in the joint fluid) of any MSC run
    above the untreated run's on the same day, as a fraction of it (NaN
    without both); msc_differentiated, the largest fraction of the injected
    cells that became chondrocytes by a run's end (NaN without the series);
    msc_matrix, their own matrix synthesis sig_aE + sig_cE (NaN if unknown)."""
    out = {"msc_rs_excess": math.nan, "msc_differentiated": math.nan, "msc_matrix": math.nan}
    excess, made = [], []
    for run in runs:
        if untreated is not None:
            try:
                t, r = run.time, run.series("R_s")
                ut, ur = untreated.time, untreated.series("R_s")
                same = np.isin(np.round(t, 6), np.round(ut, 6))  # the rows both files have: no interpolation
                t, r = (t[same], r[same]) if np.count_nonzero(same) >= 2 else (t, r)
                inside = (t >= ut[0] - 1e-9) & (t <= ut[-1] + 1e-9)
                base = np.interp(t[inside], ut, ur)
                if np.any(inside) and np.all(base > 0):
                    excess.append(float(np.max((r[inside] - base) / base)))
            except CartsimFileError:
                pass
        try:
            injected = float(run.series("msc_injected")[-1])
            if injected > 0:
                made.append(float(run.series("msc_differentiated")[-1]) / injected)
        except CartsimFileError:
            pass
    if excess:
        out["msc_rs_excess"] = max(0.0, max(excess))
    if made:
        out["msc_differentiated"] = max(made)
    if runs:
        out["msc_matrix"] = _param(runs[0], "sig_aE") + _param(runs[0], "sig_cE")
    return out


def _small_pct(fraction):
    """A small fraction as a percentage with one significant digit: 3e-5 -> '0.003'."""
    p = 100 * fraction
    if p >= 0.1:
        return f"{p:.1f}"
    return f"{p:.{max(1, -math.floor(math.log10(p)))}f}" if p > 0 else "0"


def _one_in(fraction):
    """'1 in 5,800': the fraction as one in N, N rounded down to two
    significant digits, so that "at most 1 in N" stays true (1 in 5,867 was
    rounded up to "at most 1 in 5,900")."""
    n = 1 / fraction
    scale = 10 ** max(0, math.floor(math.log10(n)) - 1)
    return f"1 in {math.floor(n / scale * (1 + 1e-12)) * scale:,.0f}"  # 1 / (1 / 5900) may be 5899.999...


def msc_action_text(k):
    """The sentence on what the injected cells themselves do, from the runs
    ('' without the numbers): the anti-inflammatory factor they add, how
    many become cartilage cells, and, when they make no matrix (sig_aE and
    sig_cE 0), that any matrix that grows back is the knee's own cells'."""
    excess, made, matrix = (k.get(n, math.nan) for n in ("msc_rs_excess", "msc_differentiated", "msc_matrix"))
    clauses = []
    if _finite(excess):
        clauses.append("they add no anti-inflammatory factor" if excess == 0 else
                       "they add almost no anti-inflammatory factor (at most "
                       f"{_small_pct(excess)} % more in the joint fluid than untreated)" if excess < NEGLIGIBLE else
                       f"they add anti-inflammatory factor (up to {_small_pct(excess)} % more in the joint fluid than "
                       "untreated)")
    if _finite(made):
        clauses.append("none of them becomes a cartilage cell" if made == 0 else
                       f"at most {_one_in(made)} of them become cartilage cells" if made < NEGLIGIBLE else
                       f"up to {_small_pct(made)} % of them become cartilage cells")
    if _finite(matrix, made) and matrix == 0 and made < NEGLIGIBLE:
        clauses.append("they make no cartilage matrix themselves: any rebuilt aggrecan or collagen is made "
                       "by the knee's own cartilage cells")
    if not clauses:
        return ""
    quiet = _finite(excess, made) and excess < NEGLIGIBLE and made < NEGLIGIBLE
    return ((" Calming the synovium is all they do here: " if quiet else " Here ")
            + (", ".join(clauses[:-1]) + ", and " if len(clauses) > 1 else "") + clauses[-1] + ".")


def _explanation(k):
    """The plain-language explanation, with the runs' numbers. Each qualitative
    claim (the inflammation feeds itself, the cells break the circle, aggrecan
    grows back, ...) is made only when the runs show it, judged by the
    thresholds above; otherwise the text says what the numbers show."""
    yrs = f"{k['horizon_years']:.3g}"
    early, late, il1ra = k["early"], k["late"], k["il1ra"]
    eb, lb = k["early_benefit"], k["late_benefit"]
    injury = k["injury"]
    s_start, s_end = k["untreated_s_start"], k["untreated_s_end"]
    u_inflamed = _finite(s_end) and s_end >= INFLAMED  # untreated, still inflamed at the horizon
    wear = not (_finite(k["k_wear"]) and k["k_wear"] == 0)
    p = []
    if early is not None and late is not None and _finite(eb, lb) and eb - lb >= CLEAR_POINTS:
        p.append("<h2>Why giving stem cells early helps more (in this model)</h2>")
    else:
        p.append("<h2>Stem cells early or late: what this model shows</h2>")

    signal = ("The inflammation signal in the joint fluid, called <i>synovitis</i> here (0 to 1), is the model's "
              "stand-in for pain. It makes the cartilage cells release enzymes that cut the cartilage matrix.")
    if injury is not None:
        text = ("<p><b>The injury starts a fire.</b> After a knee injury the lining of the joint (the synovium) "
                f"becomes inflamed. {signal}")
        if _finite(s_start, k["untreated_s_peak"]) and k["untreated_s_peak"] > s_start:
            text += (f" In the untreated run the injury lasts from day {injury[0]:g} to day {injury[1]:g}, and "
                     f"synovitis rises from {s_start:.2f} to {k['untreated_s_peak']:.2f}.")
    else:
        text = f"<p><b>Inflammation.</b> The lining of the joint (the synovium) can become inflamed. {signal}"
        if _finite(k["sig_ins"]) and k["sig_ins"] == 0:
            text += " These runs simulate no injury (the extra inflammation of an injury, sig_ins, is 0)."
    p.append(text + "</p>")

    a, c, day = k["shield_a"], k["shield_c"], k["shield_day"]
    first = _finite(a, c) and c - a >= NOTICEABLE
    hl = k["collagen_half_life_years"]
    text = ("<p><b>First the shield, then the structure.</b> Cartilage has two main building materials. "
            "<i>Aggrecan</i> is a sponge-like molecule that holds water; "
            + ("it is lost first, but the cells can rebuild it, so this loss is <b>reversible</b>. " if first else
               "the cells can rebuild it, so its loss is <b>reversible</b>. ")
            + "<i>Collagen</i> is the rope-like framework. While aggrecan is present it shields the collagen from "
            "the enzymes. Once the aggrecan shield is gone, the enzymes cut the collagen, ")
    if _finite(hl) and hl < k["horizon_years"]:
        text += f"and collagen is rebuilt with a half-life of {hl:.2g} years in the model."
    elif hl == math.inf:
        text += ("and collagen is not rebuilt at all in the model (its synthesis rate sig_c is 0): this loss is "
                 "<b>lasting</b>, the cartilage gets thinner.")
    else:
        text += ("and collagen is rebuilt so slowly"
                 + (f" (a half-life of {hl:.0f} years in the model)" if _finite(hl) else "")
                 + " that this loss is <b>lasting</b>: the cartilage gets thinner.")
    if first:
        text += (f" In the untreated run, by day {day:g} mean aggrecan is down to {a:.2f} of healthy while collagen "
                 f"is still {c:.3f}.")
    elif _finite(a, c):
        text += f" In the untreated run, at day {day:g} mean aggrecan is {a:.2f} of healthy and collagen {c:.3f}."
    p.append(text + "</p>")

    can = "" if u_inflamed else "can "  # the mechanism; what the runs do follows
    text = ("<p><b>A vicious circle.</b> "
            + (f"Damaged collagen sheds wear debris into the joint fluid, and the debris {can or 'keeps'}"
               f"{'keep' if can else ''} the synovium inflamed." if wear else
               f"Fragments of the cut matrix reach the joint fluid and {can}keep the synovium inflamed (this knee "
               "sheds no wear debris: its wear-debris rate k_wear is 0)."))
    if u_inflamed and (injury is None or injury[1] < k["horizon_day"]):
        text += (" So once collagen is damaged, the inflammation feeds itself"
                 + (f" even after the original injury has healed: the injury ends at day {injury[1]:g}, yet untreated "
                    "synovitis is still " if injury is not None else ": untreated synovitis is still ")
                 + f"{s_end:.2f} at year {yrs}.")
    elif _finite(s_end) and not u_inflamed:
        settle, healed = k["untreated_s_settle"], injury[1] if injury is not None else math.nan
        ended = f"the injury ended on day {healed:g}" if injury is not None else "the start"
        if not _finite(settle):  # never inflamed: nothing fell back
            text += (" In these runs, though, the circle never starts: untreated, the synovium never becomes inflamed ("
                     + (f"synovitis {s_start:.2f} at the start, at most {k['untreated_s_max']:.2f}, "
                        if _finite(s_start, k["untreated_s_max"]) else "synovitis ")
                     + f"{s_end:.2f} at year {yrs}).")
        elif settle - (healed if _finite(healed) else k["untreated"].start_day) > CALM_DAYS:
            text += (" In these runs, though, the circle breaks by itself in the end: untreated, the synovium stays "
                     f"inflamed long after {ended} and calms down only by day {settle:g} (synovitis {s_end:.2f} at "
                     f"year {yrs}).")
        else:
            text += (" In these runs, though, the circle does not close: untreated, the inflammation settles by day "
                     f"{settle:g}, soon after {ended} (synovitis {s_end:.2f} at year {yrs}).")
    loss = k["untreated_loss_pct"]
    if _finite(loss) and loss >= 0.1:
        rate = k["untreated_rate_pct_per_year"]
        text += (f" Untreated, the simulated knee loses {_amount(loss)} % of its cartilage thickness in {yrs} years"
                 + (f" (about {_amount(rate)} % per year)." if _finite(rate) else "."))
    elif _finite(loss):
        change = f"{abs(loss):.1g}"
        text += (f" Untreated, the simulated knee keeps its cartilage thickness over {yrs} years"
                 + ("." if float(change) == 0 else f" (it {'loses' if loss > 0 else 'gains'} {change} %)."))
    p.append(text + "</p>")

    r30, r180 = k["retained_30d"], k["retained_180d"]
    gone = _finite(r30) and all(r < MOSTLY_GONE for r in (r30, k["late_retained_30d"]) if _finite(r))
    text = ("<p><b>Stem cells stay only a few weeks.</b> " if gone else "<p><b>Stem cells.</b> ") + \
        ("In the model, injected mesenchymal stem cells (MSCs) can calm the synovium while they are in the joint "
         "(the more cells, the less inflammatory signal it makes)"
         + (", but most of them leave the joint or die within a month." if gone else ".")) + msc_action_text(k)
    if _finite(r30):
        text += (f" In these runs, 30 days after the injection {_each(r30, k['late_retained_30d'], late)} of the "
                 "injected cells are still in the joint")
        text += (f", and after 6 months {_each(r180, k['late_retained_180d'], late, short=True)}."
                 if _finite(r180) else ".")
    shown = [c for c in (k["early_course"], k["late_course"]) if c is not None and _finite(c["s_inj"], c["s_end"])]
    if shown and all(_hardly_calms(c) for c in shown):
        text += " Here, though, they hardly calm the joint (see below)."
    p.append(text + "</p>")

    for item, course, benefit, name, cells in ((early, k["early_course"], eb, "Given early", "the cells"),
                                               (late, k["late_course"], lb, "Given late", "the same cells")):
        if item is None:
            continue
        text = f"<p><b>{name}</b> (day {item[0]:g}), " + _msc_course(course, cells, yrs, k, u_inflamed, wear)
        text += _benefit_sentence(benefit, item, k, " of cartilage thickness compared with no treatment"
                                  if item is early else "")
        if item is late and early is not None and _finite(eb, lb):
            if abs(eb - lb) < CLEAR_POINTS:
                text += f" Early and late end up close ({_pts(eb)} and {_pts(lb)} points)."
            elif lb > eb:
                text += " Here the late injection helps more than the early one."
        p.append(text + "</p>")

    if il1ra is not None:
        days, hours = k["il1ra_washout_days"], k["il1ra_half_life_hours"]
        text = f"<p><b>An anti-inflammatory drug injection</b> (IL-1Ra, day {il1ra[0]:g}) "
        text += (f"is washed out of the joint within about {days:.1f} days (half-life {hours:.1f} hours)"
                 if _finite(days, hours) else "is a single bolus")
        s = k["il1ra_course"]["s_end"]
        if _finite(s, s_end) and u_inflamed and s >= INFLAMED:
            text += (", far too short to break the circle: synovitis at year "
                     f"{yrs} is {s:.2f}, as untreated ({s_end:.2f}).")
        elif _finite(s, s_end) and u_inflamed:
            text += f", and yet it breaks the circle: synovitis {s:.2f} at year {yrs} (untreated {s_end:.2f})."
        elif _finite(s, s_end):
            text += f". Synovitis at year {yrs}: {s:.2f} (untreated {s_end:.2f})."
        else:
            text += "."
        p.append(text + _benefit_sentence(k["il1ra_benefit"], il1ra, k) + "</p>")

    text = ("<p class='note'><b>Not a miracle cure &mdash; the limits of this model.</b> It simulates one patient "
            "with one set of parameters; real patients differ (the size of the injury, their joint, their cells), "
            "and some would be helped less or more.")
    ec = k["early_course"]
    if early is not None and u_inflamed and _finite(ec["s_end"]):  # validation.md target 8; model.md "the switch"
        text += (" In this model the benefit of an early injection is a switch: the same injection either breaks the "
                 "vicious circle or barely helps, and which one depends on the patient. "
                 + ("Here it breaks the circle, but a faster-progressing knee gains only a few points from the same "
                    "cells at month 6" if ec["s_end"] < INFLAMED else
                    "Here it does not break the circle; for other patients it does")
                 + " (the classroom explorer, <code>cartsim explore</code>, shows it patient by patient).")
    courses = [(item, k[f"{name}_course"]) for name, item in (("early", early), ("late", late)) if item is not None]
    back = [(item, c) for item, c in courses if _finite(c["c_inj"], c["c_end"])
            and c["c_end"] - c["c_inj"] >= COLLAGEN_BACK]
    damaged = courses and _finite(courses[-1][1]["c_inj"]) and courses[-1][1]["c_inj"] < INTACT  # the latest injection
    if courses and not back and all(_finite(c["c_inj"], c["c_end"]) for _, c in courses) and damaged:
        text += (" Late-stage damage is not reversed: in these runs lost collagen does not grow back"
                 + (f" (its half-life of renewal is {hl:.0f} years)" if _finite(hl) and hl < math.inf else "")
                 + ", and no injection rebuilds a worn-out joint.")
    elif not back and _finite(k["min_mean_c"]) and k["min_mean_c"] >= INTACT:
        text += (" These runs cannot show whether late-stage damage can be reversed: mean collagen stays at "
                 f"{math.floor(k['min_mean_c'] * 1000) / 1000:.3f} of healthy or more in every run.")
    for item, c in back:
        text += (f" After the MSC injection on day {item[0]:g} mean collagen grows from {c['c_inj']:.3f} to "
                 f"{c['c_end']:.3f} of healthy by year {yrs}.")
    changed = k.get("changed_parameters") or []
    p.append(text + " The numbers are model predictions, not clinical results. The model's default parameters are a "
             "first calibration: they were chosen to match a few published findings (a healthy knee stays healthy, "
             "about 4 % of cartilage thickness lost per year after an injury, how long injected stem cells stay, no "
             "lasting effect of one IL-1Ra injection, stem cells given early helping more than late ones), while "
             "others are not fitted yet (docs/validation.md): the spread between fast and slow progressors and how "
             "quickly cartilage recovers after a short inflammation are only partly met, and how much less "
             "inflammatory signal it takes to stop cartilage repair than to start its breakdown is not met."
             + (f" These runs change {len(changed)} of those parameters (listed at the top), so they are outside "
                "that calibration." if changed else "") + "</p>")
    return "\n".join(p)


def _benefit_sentence(benefit, item, k, tail=""):
    """' Benefit at year N: <b>+17.0 percentage points</b>TAIL.', or, without
    a number, why ('not available percentage points' read as a number that
    was not printed): no untreated run to compare with (a treated run given
    alone, without the untreated run or a --baseline benefit in its file),
    or a run that holds no row at the horizon."""
    yrs = f"{k['horizon_years']:.3g}"
    if _finite(benefit):
        return f" Benefit at year {yrs}: <b>{_pts(benefit)} percentage points</b>{tail}."
    why = ("no untreated run to compare with" if k["untreated"] is None
           else f"{html.escape(item[1])} has no value at day {k['horizon_day']:g}")
    return f" Benefit at year {yrs}: not available ({why})."


ALIKE_POINTS = 0.05        # retentions closer than this (percentage points) or ALIKE_RELATIVE are "alike":
ALIKE_RELATIVE = 0.05      #   1.553 % and 1.545 % printed as 1.6 % and 1.5 % made students ask why late cells leave


def _each(early, late, has_late, short=False):
    """A retention of the early and the late injection: one number (the
    early one's, which the reference model's targets and a report on the early
    run alone quote; their mean read 1.5 % where those said 1.6 %) if they are
    alike (ALIKE_POINTS, ALIKE_RELATIVE) or print the same, else both, each
    named (the early one alone without a late run)."""
    e, l = _pct(early), _pct(late)
    if not has_late:
        return e
    alike = _finite(early, late) and (abs(early - late) * 100 < ALIKE_POINTS
                                      or abs(early - late) < ALIKE_RELATIVE * max(abs(early), abs(late)))
    if e == l or alike:
        return f"{e} (early and late injection alike)"
    if not _finite(late):
        return f"{e} (early injection; the late run ends before)"
    return f"{e} (early) and {l} (late)" if short else f"{e} (early injection) and {l} (late injection)"


def _coarse(c):
    """The run file holds synovitis too sparsely after the injection to show its lowest value."""
    return _finite(c["s_step"]) and c["s_step"] > SAMPLED + 1e-9


def _lowest(c):
    """'0.18 at its lowest', with the sampling when the file is coarse (the true lowest may be lower)."""
    return f"{c['s_low']:.2f} at its lowest" + (f" (sampled every {c['s_step']:g} days)" if _coarse(c) else "")


def _hardly_calms(c):
    """The injection leaves the joint inflamed and never calms it to CALMED of
    its value at the injection (_msc_course's last case), in a file that
    would show it (rows at most SAMPLED days apart)."""
    s_inj, s_low, s_end = c["s_inj"], c["s_low"], c["s_end"]
    return s_end >= INFLAMED and not (_finite(s_low) and s_low <= CALMED * s_inj) and not _coarse(c)


def _msc_course(c, cells, yrs, k, u_inflamed, wear):
    """What one MSC injection did (a sentence from `cells ...`), judged from
    its _course() numbers against the thresholds above."""
    u_end, u_settle = k["untreated_s_end"], k["untreated_s_settle"]
    s_inj, s_low, s_end, a_inj, a_end, c_inj, c_end = (c[n] for n in ("s_inj", "s_low", "s_end", "a_inj", "a_end",
                                                                       "c_inj", "c_end"))
    if not _finite(s_inj, s_end):
        return f"{cells} are injected."
    intact = _finite(c_inj) and c_inj >= INTACT
    collagen = (f"the collagen is {'still nearly intact' if intact else 'already damaged'} (mean {c_inj:.3f} of "
                "healthy)") if _finite(c_inj) else ""
    regrown = _finite(a_inj, a_end) and a_end - a_inj >= NOTICEABLE
    lost = _finite(a_inj) and a_inj <= 1 - NOTICEABLE  # aggrecan to grow back at the injection
    a_nums = f"mean {a_inj:.2f} at the injection, {a_end:.2f} at year {yrs}" if _finite(a_inj, a_end) else ""
    aggrecan = (f", aggrecan grows back ({a_nums})" if regrown
                else f", but aggrecan does not grow back ({a_nums})" if a_nums and lost
                else f", aggrecan was hardly lost ({a_nums})" if a_nums else "")
    stays = (f"synovitis {s_inj:.2f} at the injection, {s_end:.2f} at year {yrs}")
    if s_end < INFLAMED and (u_inflamed or not _finite(u_end)):
        text = (f"{cells} break the vicious circle"
                + (f" {'while' if intact else 'even though'} {collagen}" if collagen else "")
                + f": the inflammation stops ({stays}){aggrecan}")
        return text + (", and the joint returns towards health." if regrown else ".")
    if s_end < INFLAMED and s_inj < INFLAMED:  # and so does the untreated knee: nothing for the cells to calm
        text = f"the joint is already calm when the cells arrive (synovitis {s_inj:.2f} at the injection"
        if _finite(u_settle) and u_settle <= c["day"] + 1e-9:
            text += f", {s_end:.2f} at year {yrs}): untreated, the inflammation had settled by day {u_settle:g}."
        elif _finite(u_settle):
            text += (f", {s_end:.2f} at year {yrs}); untreated, the inflammation flares up again and settles for "
                     f"good by day {u_settle:g}.")
        else:
            text += (f", {s_end:.2f} at year {yrs}): the untreated knee is never inflamed either (synovitis at most "
                     f"{k['untreated_s_max']:.2f}).")
    elif s_end < INFLAMED:  # and so does the untreated knee
        settle = c["s_settle"]
        text = (f"the inflammation settles{f' by day {settle:g}' if _finite(settle) else ''} ({stays}); untreated "
                f"it settles too{f', by day {u_settle:g}' if _finite(u_settle) else ''} ({u_end:.2f} at year {yrs}).")
    if s_end < INFLAMED:
        ua = k["untreated_a_end"]
        if a_nums and (lost or regrown):
            text += (f" Aggrecan {'grows back' if regrown else 'does not grow back'} ({a_nums}"
                     + (f"; untreated {ua:.2f})" if _finite(ua) else ")"))
        elif a_nums:
            text += f" Aggrecan was hardly lost ({a_nums})"
        if a_nums:
            if collagen and not intact and _finite(c_end) and c_end - c_inj < COLLAGEN_BACK:
                text += f"; but {collagen}, and what was lost does not come back"
            text += "."
        return text
    if _finite(s_low) and s_low <= CALMED * s_inj:
        text = f"{cells} calm the joint for a while (synovitis {s_inj:.2f} at the injection, {_lowest(c)}), but "
        kept, T = c["retained_end"], k["horizon_day"]
        gone = not _finite(kept) or kept < GONE
        returned = not _finite(u_end) or s_end >= RETURNED * u_end
        if not (gone and returned):  # the runs end with cells still there, or below the untreated inflammation
            text += (f"{collagen}, and " if collagen and not intact else "") + \
                f"synovitis rises again ({s_end:.2f} at year {yrs}"
            text += f", {T - c['day']:g} days after the injection" if T - c["day"] < DAYS_PER_YEAR else ""
            text += f", untreated {u_end:.2f}" if _finite(u_end) else ""
            text += f"; {_pct(kept)} of the injected cells are still in the joint)" if _finite(kept) else ")"
            return text + (": the runs end before it is back at the untreated level." if not returned else ".")
        if collagen and not intact:
            text += (f"{collagen}: {'its wear debris' if wear else 'fragments of the cut matrix'} restart"
                     f"{'s' if wear else ''} the inflammation after the cells are gone")
        else:
            text += "the inflammation returns after the cells are gone"
        return text + f" (synovitis {s_end:.2f} at year {yrs}" + \
            (f", untreated {u_end:.2f})." if _finite(u_end) else ").")
    if _coarse(c):  # the lowest sample is not the lowest value: no verdict
        return (f"whether {cells} calm the joint for a while, these run files cannot tell: they hold synovitis only "
                f"every {c['s_step']:g} days after the injection, and the cells act within a day (synovitis "
                f"{s_inj:.2f} at the injection, {s_low:.2f} at its lowest sample, {s_end:.2f} at year {yrs}; a run "
                "with output.dt 0.5 shows it).")
    low = f", {_lowest(c)}" if _finite(s_low) else ""
    return f"{cells} hardly calm the joint (synovitis {s_inj:.2f} at the injection{low}, {s_end:.2f} at year {yrs})."


def _table(rows):
    head = ("run", "injection day", "thickness at horizon (mm)", "benefit (points)",
            "years until mean collagen &lt; 0.8 of healthy",
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
    "early_vs_late": "Cartilage thickness and collagen over time, for each treatment branch. The thickness is "
                     "the structural thickness an MRI measures: the depth of intact collagen (the collagen "
                     "fraction c summed over depth). The modelled cartilage keeps its height, which is why the "
                     "depth profiles still reach the surface; what it loses is intact matrix.",
    "profiles": "How aggrecan, collagen and cells vary with depth, from the bone (bottom) to the joint surface (top).",
    "inflammation": "Inflammation in the joint fluid and the injected stem cells. Top: synovitis, the model's "
                    "stand-in for pain (0 calm, 1 fully inflamed), the number the text quotes. It is computed from "
                    "the next two: P_s, the pro-inflammatory messenger (an IL-1-like cytokine that makes the "
                    "cartilage cells release the enzymes), and R_s, the anti-inflammatory factor that blocks it "
                    "(the joint makes it; an IL-1Ra injection is a dose of it), both in ng/mL on a log scale. "
                    "Bottom: the injected stem cells still in the joint, free in the joint fluid, stuck to the "
                    "synovium or in the cartilage (log scale).",
    "animation": "The cartilage depth profiles over time, early (left) and late (right) injection: aggrecan "
                 "(solid), collagen (dashed) and cells (dotted). It loops, holding the final state for "
                 f"{LAST_FRAME_MS / 1000:g} seconds; the still image below shows that state.",
    "animation_final": "The final state, the animation's last frame as a still image: the depth profiles at the "
                       "end of the runs, early (left) and late (right) injection.",
}
# 2-D and 3-D runs: the animation is a colour map of the collagen over x and depth (plots.animation), the
# profiles are lateral means (plots.lateral_mean); {mean} is ", averaged over y" in 3-D, {patch} "2-D patch"
FIELD_CAPTIONS = {
    "animation": "The collagen over time, early (left) and late (right) injection: the collagen fraction c as a "
                 "colour (scale at the right, 1 healthy, 0 gone) across the {patch}{mean}, the lateral position x "
                 "(mm) across and the height above the tidemark up, the joint surface at the top. It loops, holding "
                 f"the final state for {LAST_FRAME_MS / 1000:g} seconds; the still image below shows that state.",
    "animation_final": "The final state, the animation's last frame as a still image: the collagen across the "
                       "{patch}{mean} at the end of the runs, early (left) and late (right) injection.",
}


def captions(k):
    """CAPTIONS for these runs: the inflammation figure says what the stem
    cells do to R_s, from the runs (key_numbers' msc_rs_excess): the caption
    once said 'the stem cells add more', where they added 0.003 %. For 2-D
    and 3-D runs (key_numbers' field_dims) the animation's captions are
    FIELD_CAPTIONS, and the profiles' says they are lateral means: the 1-D
    words (aggrecan solid, collagen dashed) described a colour map."""
    out = dict(CAPTIONS)
    dims = k.get("field_dims") or []
    lateral = lateral_mean(dims)
    if lateral:
        out["profiles"] = out["profiles"][:-1] + f", each the {lateral} at that depth."
    if dims and max(dims) > 1:
        words = {"patch": "3-D block" if max(dims) == 3 else "2-D patch",
                 "mean": ", averaged over y" if max(dims) == 3 else ""}
        out.update({name: text.format(**words) for name, text in FIELD_CAPTIONS.items()})
    excess = k.get("msc_rs_excess", math.nan)
    if _finite(excess):
        who = ("the stem cells add almost none: they act on the synovium, lowering P_s" if excess < NEGLIGIBLE else
               f"the stem cells add up to {_small_pct(excess)} % and also act on the synovium, lowering P_s")
        out["inflammation"] = out["inflammation"].replace(
            "(the joint makes it; an IL-1Ra injection is a dose of it)",
            f"(the joint makes it and an IL-1Ra injection is a dose of it; {who})")
    return out


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
             "<p class='small'>Simulated with cartsim, a model of a knee"
             + (" after an injury" if k["injury"] is not None else "")
             + ": inflammation, cartilage matrix and cells, with and without an injection of mesenchymal stem cells "
             "(MSCs)." + (" These runs simulate no injury." if k["injury"] is None and _finite(k["sig_ins"]) else "")
             + "</p>"]
    if k["changed_parameters"]:
        parts.append(_changes_note(k["changed_parameters"]))
    incomplete = [l for l, r in runs.items() if not r.complete]
    if incomplete:
        parts.append("<p class='note'>Warning: these runs did not finish: "
                     + ", ".join(f"{html.escape(l)} ({html.escape(runs[l].status)})" for l in incomplete) + "</p>")
    for line in comparability_notes(runs, untreated_label):
        parts.append(f"<p class='note'>Warning: {html.escape(line)}</p>")
    if incomplete:
        # the explanation reads conclusions off the runs: from a run stopped at day 0 it said the synovium
        # "never becomes inflamed" and the knee "keeps its cartilage thickness over 0 years", and it spoke of
        # an injection on day 180 in a run stopped on day 60
        parts.append("<h2>No conclusions from unfinished runs</h2><p>The explanation of what the runs show is "
                     "written only when every run has finished (its status <i>complete</i>). The table and "
                     "figures below show what the files hold so far.</p>")
    else:
        parts.append(_explanation(k))
    parts.append("<h2>Summary</h2>")
    parts.append(_table(rows))
    parts.append(f"<p class='small'>Horizon: day {k['horizon_day']:g} ({k['horizon_years']:.3g} years). "
                 "Thickness: the depth of intact collagen (the collagen fraction summed over depth, in mm), "
                 "the structural measure an MRI gives. "
                 "Benefit: thickness at the horizon minus the untreated thickness, in percent of the initial "
                 "thickness. Synovitis AUC: the inflammation signal (0&ndash;1) summed over time. "
                 "Retention: injected MSCs still in the joint 30 days after the injection.</p>")
    parts.append("<h2>Figures</h2>")
    caption = captions(k)
    for fig in figures:
        stem = os.path.splitext(os.path.basename(fig))[0]
        cap = caption.get(stem, stem.replace("_", " "))
        parts.append(f"<figure><img alt='{html.escape(cap)}' src='{data_uri(fig)}'>"
                     f"<figcaption>{html.escape(cap)}</figcaption></figure>")
    parts.append("<p class='small'>Run files: " + ", ".join(
        f"{html.escape(l)} = {html.escape(os.path.basename(r.path))} ({html.escape(r.status)})"
        for l, r in runs.items()) + "</p>")
    parts.append("</body></html>")
    cli.write_whole(out_html, "\n".join(parts) + "\n")  # whole or absent (a full disk)
    return str(out_html)


if __name__ == "__main__":  # `python3 -m postprocess.report` is `python3 -m postprocess report`
    import sys

    from .__main__ import main

    sys.exit(main(["report", *sys.argv[1:]]))
