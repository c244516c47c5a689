"""Classroom figures of cartsim runs (PNG, GIF) and the summary table.

Every function takes runs as a dict label -> reader.Run (labels such as
"untreated", "msc_early", "msc_late", "il1ra_early"), writes one file, and
returns (path, plotted): `plotted` holds the arrays exactly as drawn, so tests
can compare them with the file. Figures are built with matplotlib's
object-oriented API (matplotlib.figure.Figure, Agg): no pyplot, no global state.

Colours and line styles are the same in every figure, and readable for the
~1 in 12 boys in a class who are red-green colour-blind: colours from the
Okabe-Ito palette, every pair of branches at least 20 CIELAB units apart under
simulated deuteranopia and protanopia (Machado 2009; a test checks it), and
colour is never the only cue:

    untreated   #333333 dark grey, solid and drawn thicker
    MSC early   #0072B2 blue, solid
    MSC late    #D55E00 vermillion, solid
    IL-1Ra      #CC79A7 reddish purple, dash-dot
    other       OTHER_COLOURS with OTHER_STYLES, in order

(branch_colour, branch_style). In the depth profiles the line style is the
time, so each branch has a marker there too (branch_marker). The animation's
species: aggrecan #997700 ochre solid, collagen #332288 indigo dashed,
chondrocytes #009E73 green dotted (SPECIES_STYLE): none of them a branch's
colour (the panels are the early and the late branch, and a class that has
learnt "vermillion = late" read the early panel's aggrecan as the late
branch); its panel titles are black, since colour means a species there. Where several runs are injected on the same
day, one neutral grey line marks it. New figures follow these rules.
"""

import math
import sys
from collections import namedtuple

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import cli, metrics
from .reader import DAYS_PER_YEAR, CartsimFileError

FONT = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 10.5}
OTHER_COLOURS = ["#009E73", "#E69F00", "#56B4E9", "#882255", "#4d4d4d"]
OTHER_STYLES = ["-", (0, (6, 2)), ":", (0, (3, 1, 1, 1, 1, 1)), "-."]  # the colours alone are not all CVD-safe
OTHER_MARKERS = ["D", "v", "P", "X", "*"]
BRANCH = {  # kind -> colour, line style, marker in the depth profiles
    "untreated": ("#333333", "-", None),
    "early": ("#0072B2", "-", "o"),
    "late": ("#D55E00", "-", "s"),
    "il1ra": ("#CC79A7", "-.", "^"),
}
NEUTRAL = "#666666"  # an injection day shared by runs of different colours
SPECIES_STYLE = {"a": ("#997700", "-", "aggrecan a"), "c": ("#332288", "--", "collagen c"),
                 "Ch": ("#009E73", ":", "chondrocytes Ch")}
TIME_STYLES = [":", "-.", "--", "-", (0, (5, 1, 1, 1, 1, 1))]

SummaryRow = namedtuple("SummaryRow", "label injection_day thickness_mm benefit_points years_to_c80 "
                                      "synovitis_auc msc_retained_30d")


def _branch_kind(label):
    """'untreated', 'il1ra', 'early', 'late' or None, from a run's label."""
    name = label.lower()
    if "untreated" in name or "healthy" in name or name == "control":
        return "untreated"
    if "il1ra" in name or "il-1ra" in name:
        return "il1ra"
    if "early" in name:
        return "early"
    if "late" in name:
        return "late"
    return None


def branch_colour(label, index=0):
    """Colour of a branch by its label: untreated dark grey, early blue, late
    vermillion, IL-1Ra reddish purple; other labels OTHER_COLOURS[index]."""
    kind = _branch_kind(label)
    return BRANCH[kind][0] if kind else OTHER_COLOURS[index % len(OTHER_COLOURS)]


def branch_style(label, index=0):
    """Line style of a branch over time: IL-1Ra dash-dot, MSCs and untreated
    solid; other labels OTHER_STYLES[index]."""
    kind = _branch_kind(label)
    return BRANCH[kind][1] if kind else OTHER_STYLES[index % len(OTHER_STYLES)]


def branch_marker(label, index=0):
    """Marker of a branch in the depth profiles (where the line style is the time): None untreated."""
    kind = _branch_kind(label)
    return BRANCH[kind][2] if kind else OTHER_MARKERS[index % len(OTHER_MARKERS)]


def pretty_label(label, run=None):
    """"msc_early" -> "MSC, early (day 180)" for legends."""
    words = {"msc": "MSC", "il1ra": "IL-1Ra", "untreated": "untreated"}
    parts = [words.get(p, p) for p in label.replace("-", "_").split("_") if p]
    text = ", ".join(parts) if parts else label
    if run is not None:
        day = metrics.injection_day(run)
        if day is not None:
            text += f" (day {day:g})" if day <= run.end_day + 1e-9 else f" (day {day:g}, not reached)"
        if not run.complete:
            text += f" [{run.status}]"
    return text


def _treatment_name(kind):
    return {"msc": "MSCs", "il1ra": "IL-1Ra"}.get(kind, kind)


def _figure(figsize):
    fig = Figure(figsize=figsize, dpi=100)
    return fig


def _save(fig, out, dpi=110):
    with cli.writing(out):
        fig.savefig(out, dpi=dpi)
    return str(out)


def _apply_font():
    """A dict for matplotlib.rc_context with the classroom font sizes."""
    import matplotlib

    return matplotlib.rc_context(FONT)


def _injection_lines(axes, runs, label_axis=None):
    """One dashed vertical line per injection day: in the colour of the run
    injected then, or NEUTRAL grey when runs of different colours share the day
    (the last one drawn used to hide the others); one label per day at the
    bottom of `label_axis`. Returns {day: colour drawn}."""
    by_day = {}
    for i, (label, run) in enumerate(runs.items()):
        for t in run.treatments:
            names, colours = by_day.setdefault(round(t["day"], 6), ([], []))
            name = _treatment_name(t.get("type", ""))
            if name not in names:
                names.append(name)
            if branch_colour(label, i) not in colours:
                colours.append(branch_colour(label, i))
    drawn = {}
    for day, (names, colours) in by_day.items():
        drawn[day] = colours[0] if len(colours) == 1 else NEUTRAL
        for ax in axes:
            ax.axvline(day / DAYS_PER_YEAR, color=drawn[day], ls="--", lw=1.2, alpha=0.8, zorder=1)
        if label_axis is not None:
            label_axis.annotate(f" {' / '.join(names)}, day {day:g}", xy=(day / DAYS_PER_YEAR, 0.03),
                                xycoords=("data", "axes fraction"), rotation=90, va="bottom", ha="right",
                                fontsize=9.5, color=drawn[day] if len(colours) == 1 else "#444444",
                                annotation_clip=True)  # not drawn (nor laid out) beyond the time axis
    return drawn


def _injury_window(axes, runs):
    """Shade the injury (synovial flare) window t_ins0..t_ins1 if the runs' parameters give one."""
    for run in runs.values():
        try:
            t0, t1, sig = (run.parameter(k) for k in ("t_ins0", "t_ins1", "sig_ins"))
        except Exception:  # noqa: BLE001 - parameters absent: nothing to shade
            continue
        if sig and t1 > t0:
            for k, ax in enumerate(axes):
                ax.axvspan(t0 / DAYS_PER_YEAR, t1 / DAYS_PER_YEAR, color="#d62728", alpha=0.08, lw=0, zorder=0)
            axes[-1].annotate("injury", xy=((t0 + t1) / 2 / DAYS_PER_YEAR, 0.03),
                              xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=10,
                              color="#a50f15", annotation_clip=True)
        return


def injured(runs):
    """False when the runs' parameters say there is no injury (sig_ins 0 or an
    empty window t_ins0..t_ins1): the time axis is then not 'since the injury'.
    True when any run has one, or the files do not say."""
    known = False
    for run in runs:
        try:
            t0, t1, sig = (float(run.parameter(k)) for k in ("t_ins0", "t_ins1", "sig_ins"))
        except Exception:  # noqa: BLE001 - parameters absent: assume the demo's injury
            continue
        if sig > 0 and t1 > t0:
            return True
        known = True
    return not known


def _time_label(runs):
    return "time since the injury (years)" if injured(runs) else "time (years)"


def early_vs_late(runs, out, untreated_label="untreated"):
    """Cartilage thickness (mm) and mean collagen over time (years), one line
    per branch, injection times dashed, and each branch's benefit at the
    horizon in the legend (percentage points of the initial thickness).

    Returns (path, plotted) with plotted[label] = {"years", "thickness",
    "mean_c", "benefit_points"(branches only)}, plotted["horizon_day"] and
    plotted["text"] = {"title", "xlabel"} as drawn."""
    untreated = metrics.find_untreated(runs, untreated_label)
    horizon_day = metrics.horizon(runs.values())
    plotted = {"horizon_day": horizon_day}
    with _apply_font():
        fig = _figure((10, 7.8))
        ax_t, ax_c = fig.subplots(2, 1, sharex=True)
        handles = []
        for i, (label, run) in enumerate(runs.items()):
            colour = branch_colour(label, i)
            years = run.years
            th, c = run.series("thickness"), run.series("mean_c")
            entry = {"years": years, "thickness": th, "mean_c": c}
            text = pretty_label(label, run)
            if untreated is not None and run is not untreated:
                b = metrics.benefit_points(run, untreated, horizon_day)
                entry["benefit_points"] = b
                if math.isnan(b):  # short of the common horizon: no benefit to show
                    text += ": did not reach the horizon"
                else:
                    text += f": {format_points(b)} pts"
            entry["legend"] = text
            w = _line_weight(run is untreated)
            ls = branch_style(label, i)
            entry["style"] = ls
            (h,) = ax_t.plot(years, th, color=colour, ls=ls, label=text, **w)
            ax_c.plot(years, c, color=colour, ls=ls, **w)
            ax_t.plot(years[-1:], th[-1:], "o", color=colour, ms=6)
            handles.append(h)
            plotted[label] = entry
        plotted["injection_lines"] = _injection_lines([ax_t, ax_c], runs, label_axis=ax_c)
        _injury_window([ax_t, ax_c], runs)
        ax_t.set_ylabel("cartilage thickness (mm)")
        ax_c.set_ylabel("mean collagen c\n(fraction of healthy)")
        words = {"title": "Cartilage " + ("after a knee injury" if injured(runs.values()) else "of the knee")
                + ": stem cells early vs late", "xlabel": _time_label(runs.values())}
        ax_c.set_xlabel(words["xlabel"])
        ax_t.set_title(words["title"])
        plotted["text"] = words
        title = (f"branch (injection day): benefit at year {horizon_day / DAYS_PER_YEAR:.3g}"
                 if untreated is not None and len(runs) > 1 else "branch (injection day)")
        leg = ax_t.legend(handles=handles, loc="lower left", title=title, title_fontsize=10, framealpha=0.92)
        leg.set_zorder(10)
        if untreated is not None:
            ax_t.text(0.99, 0.02, "pts = thickness gained vs untreated,\n% of the initial thickness",
                      transform=ax_t.transAxes, ha="right", va="bottom", fontsize=9.5, color="#444444")
        top = max(np.nanmax(r.series("thickness")) for r in runs.values())
        low = min(np.nanmin(r.series("thickness")) for r in runs.values())
        pad = 0.05 * max(top - low, 0.05)
        ax_t.set_ylim(low - 6 * pad, top + pad)   # room below the lines for the legend
        cmin = min(np.nanmin(r.series("mean_c")) for r in runs.values())
        ax_c.set_ylim(min(cmin - 0.05, 0.75), 1.02)
        _time_axis(ax_c, horizon_day)
        for ax in (ax_t, ax_c):
            ax.grid(alpha=0.3)
        fig.tight_layout()
        path = _save(fig, out)
    return path, plotted


def snapshot_tolerance(day):
    """How far (days) a field snapshot may lie from a requested day and still
    be drawn as that day: 5 % of it, at least one day."""
    return max(1.0, 0.05 * abs(day))


def _profile_times(run, label, times_days, untreated):
    """(requested day, snapshot index) pairs this run contributes: a branch
    run shows only times after its branching day (before it, it is the
    untreated history, drawn once). A day with no snapshot near it (a run
    that saved fields every 365 days, asked for day 180) is not drawn as if
    it were that day: it is left out, with a note on stderr."""
    out = []
    ft = run.field_times
    for day in times_days:
        if untreated is not None and run is not untreated and day <= run.start_day + 1e-9:
            continue
        idx = run.snapshot_index(day)
        if abs(ft[idx] - day) > snapshot_tolerance(day):
            if ft[0] - snapshot_tolerance(day) <= day <= ft[-1] + snapshot_tolerance(day):
                sys.stderr.write(f"note: depth profiles: {label} has no field snapshot near day {day:g} (nearest: "
                                 f"day {ft[idx]:g}); not drawn\n")
            continue
        out.append((day, idx))
    return out


def field_dims(runs):
    """The grid dimensions (1, 2, 3) of the runs with field snapshots, sorted: what the figures drawn
    from the fields (profiles, animation) show, for their labels and captions."""
    dims = set()
    for run in runs.values():
        try:
            if run.has("fields"):
                dims.add(run.grid.dim)
        except CartsimFileError:
            pass
    return sorted(dims)


def lateral_mean(dims):
    """How the depth profiles of runs of these grid dimensions are taken from
    their fields (reader.Run.depth_profile), as the figure and the report say
    it: '' in 1-D (the field is the profile), 'mean over x' in 2-D, 'mean
    over x and y' in 3-D; for runs of several dimensions each named
    ('2-D runs: mean over x')."""
    words = {2: "mean over x", 3: "mean over x and y"}
    dims = sorted({min(int(d), 3) for d in dims})
    lateral = [d for d in dims if d > 1]
    if not lateral:
        return ""
    if len(dims) == 1:
        return words[dims[0]]
    return "; ".join(f"{d}-D runs: {words[d]}" for d in lateral)


def profiles(runs, out, times_days, untreated_label="untreated"):
    """Depth profiles of aggrecan a, collagen c and chondrocytes Ch (three
    columns; z in mm vertical, tidemark at the bottom, surface at the top),
    one line per (branch, time) at the field snapshot within
    snapshot_tolerance(time) of it (none: not drawn), laterally averaged for
    2-D/3-D runs, which the x axes' labels say (lateral_mean: a 2-D lesion's
    profile read as the lesion's own). Colour = branch, line style = time.

    Returns (path, plotted) with plotted["<label>@<day>"] = {"z", "a", "c",
    "Ch", "snapshot_day", "style", "marker", "time_label", "xlabels"};
    time_label is the legend's text for the day, which names the snapshots'
    days when they are not the requested one; xlabels the x axes' labels
    (a, c, Ch) as drawn."""
    species = [("a", "aggrecan a"), ("c", "collagen c"), ("Ch", "chondrocytes Ch")]
    untreated = metrics.find_untreated(runs, untreated_label)
    times_days = sorted(float(t) for t in times_days)
    # the last time solid, the others each their own dashes (the last one used to share "-"
    # with the fourth, and a sixth time repeated the first)
    dashed = [s for s in TIME_STYLES if s != "-"]
    style = {t: dashed[k] if k < len(dashed) else (0, (2 + k, 2, 1, 2)) for k, t in enumerate(times_days[:-1])}
    if times_days:
        style[times_days[-1]] = "-"
    plotted = {}
    with _apply_font():
        fig = _figure((12, 6.2))
        axes = fig.subplots(1, 3, sharey=True)
        H = None
        for i, (label, run) in enumerate(runs.items()):
            if not run.has("fields"):
                continue
            ft = run.field_times
            g = run.grid
            H = g.H if H is None else max(H, g.H)
            marker = branch_marker(label, i)
            for day, idx in _profile_times(run, label, times_days, untreated):
                entry = {"z": g.z, "snapshot_day": float(ft[idx]), "style": style[day], "marker": marker}
                for ax, (s, _) in zip(axes, species):
                    prof = run.depth_profile(s, idx)
                    entry[s] = prof
                    ax.plot(prof, g.z, color=branch_colour(label, i), ls=style[day], marker=marker, ms=5,
                            markevery=max(1, len(g.z) // 6), **_line_weight(run is untreated))
                plotted[f"{label}@{day:g}"] = entry
        lateral = lateral_mean(field_dims(runs))
        xlabels = [f"{name}\n(fraction of healthy)" + (f"\n{lateral}" if lateral else "") for _, name in species]
        for entry in plotted.values():
            entry["xlabels"] = xlabels
        for ax, (s, name), xlabel in zip(axes, species, xlabels):
            ax.set_xlabel(xlabel)
            ax.set_xlim(-0.02, 1.05)
            ax.grid(alpha=0.3)
            ax.set_title(name)
        if H is not None:
            axes[0].set_ylim(0, H)
            for ax in axes:
                ax.axhline(H, color="#8c6d31", lw=3, alpha=0.5)
                ax.axhline(0, color="#555555", lw=3, alpha=0.5)
            axes[-1].text(1.03, H, "articular\nsurface\n(joint fluid)", va="top", ha="left", fontsize=10,
                          transform=axes[-1].get_yaxis_transform(), color="#6b4f1d")
            axes[-1].text(1.03, 0, "tidemark\n(bone side)", va="bottom", ha="left", fontsize=10,
                          transform=axes[-1].get_yaxis_transform(), color="#333333")
        axes[0].set_ylabel("z above the tidemark (mm)")
        branch_handles = [Line2D([], [], color=branch_colour(l, i), lw=2.5, marker=branch_marker(l, i), ms=6,
                                 label=pretty_label(l, r))
                          for i, (l, r) in enumerate(runs.items())
                          if any(k.startswith(f"{l}@") for k in plotted)]
        time_handles = []
        for t in times_days:
            at_t = [e for k, e in plotted.items() if k.endswith(f"@{t:g}")]
            if at_t:
                text = _snapshot_days_text(t, [e["snapshot_day"] for e in at_t])
                for e in at_t:
                    e["time_label"] = text
                time_handles.append(Line2D([], [], color="black", ls=style[t], lw=2, label=text))
        fig.suptitle("Depth profiles: what is left of the cartilage matrix and cells", fontsize=14)
        if branch_handles:
            fig.legend(handles=branch_handles, loc="lower center", ncol=min(len(branch_handles), 4),
                       bbox_to_anchor=(0.5, 0.075), title="branch (colour and marker)", frameon=False)
        if time_handles:
            fig.legend(handles=time_handles, loc="lower center", ncol=min(len(time_handles), 5),
                       bbox_to_anchor=(0.5, 0.0), title="time (line style)", frameon=False, handlelength=3.5)
        if not plotted:
            fig.text(0.5, 0.5, "no field snapshots near the requested times", ha="center", color="#666666")
        fig.tight_layout(rect=(0, 0.2, 1, 0.97))
        path = _save(fig, out)
    return path, plotted


def _line_weight(is_untreated):
    """Untreated drawn thicker and below, so a branch that coincides with it
    (e.g. before it acts) shows as a coloured line with a dark outline."""
    return {"lw": 3.6, "zorder": 3} if is_untreated else {"lw": 2.0, "zorder": 4}


def _log_axis(ax):
    """Log y axis with readable plain-number ticks when it spans few decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="major")
    ax.autoscale_view()
    lo, hi = ax.get_ylim()
    if lo > 0 and hi / lo < 300:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def _snapshot_days_text(day, snapshot_days):
    """The legend's text for a requested day: the days of the snapshots drawn
    for it (the demo's day-1460 lines were day-1470 snapshots, labelled 1460)."""
    shown = sorted({round(float(d), 6) for d in snapshot_days})
    if all(abs(d - day) < 1e-6 for d in shown):
        return _day_text(day)
    if len(shown) == 1:
        return _day_text(shown[0])
    return "day " + " / ".join(f"{d:g}" for d in shown) + f" ({day / DAYS_PER_YEAR:.1f} y)"


def _day_text(day):
    if day == 0:
        return "day 0"
    years = day / DAYS_PER_YEAR
    return f"day {day:g} ({years:.1f} y)"


def inflammation(runs, out):
    """Synovitis S_s (0-1, the model's pain proxy, which the report quotes),
    the synovial cytokine P_s (ng/mL, log) and anti-inflammatory R_s (ng/mL,
    log) it is computed from, and the MSCs in the joint (N + N_syn + E_total,
    cells, log) over time in years. The axis labels say these in words.

    Returns (path, plotted) with plotted[label] = {"years", "synovitis", "P_s",
    "R_s", "msc_in_joint"} and plotted["text"] = {"title", "ylabels", "xlabel"}
    as drawn."""
    plotted = {}
    untreated = metrics.find_untreated(runs)
    with _apply_font():
        fig = _figure((10, 11))
        axes = fig.subplots(4, 1, sharex=True)
        handles = []
        msc_max = 0.0
        for i, (label, run) in enumerate(runs.items()):
            colour, ls = branch_colour(label, i), branch_style(label, i)
            years = run.years
            entry = {"years": years, "style": ls}
            for ax, name in zip(axes, ("synovitis", "P_s", "R_s", "msc_in_joint")):
                y = run.series(name)
                entry[name] = y
                shown = y if name == "synovitis" else np.where(y > 0, y, np.nan)  # log axes: zeros left out
                ax.plot(years, shown, color=colour, ls=ls, **_line_weight(run is untreated))
                if name == "msc_in_joint" and np.any(y > 0):
                    msc_max = max(msc_max, float(np.nanmax(y)))
            handles.append(Line2D([], [], color=colour, ls=ls, lw=2.5, label=pretty_label(label, run)))
            plotted[label] = entry
        plotted["injection_lines"] = _injection_lines(axes, runs)
        _injury_window(list(axes), runs)
        ylabels = ["synovitis (0-1)\npain stand-in", "pro-inflammatory\ncytokine P_s (ng/mL)",
                   "anti-inflammatory\nfactor R_s (ng/mL)", "stem cells in the joint\n(fluid, synovium,\ncartilage)"]
        for ax, text in zip(axes, ylabels):
            ax.set_ylabel(text)
        axes[0].set_ylim(0.0, 1.0)
        axes[0].grid(alpha=0.3)
        log_axes = list(axes[1:]) if msc_max > 0 else list(axes[1:3])
        for ax in log_axes:
            ax.set_yscale("log")
        if msc_max > 0:
            axes[3].set_ylim(1.0, msc_max * 3)
        else:  # nothing positive to draw on a log axis (matplotlib refuses to save one)
            axes[3].set_ylim(0.0, 1.0)
            axes[3].set_yticks([])
            axes[3].text(0.5, 0.5, "no MSCs injected in these runs", transform=axes[3].transAxes,
                         ha="center", va="center", color="#666666")
        for ax in log_axes:
            _log_axis(ax)
        title = "Inflammation in the joint fluid and the injected stem cells"
        axes[0].set_title(title)
        plotted["text"] = {"title": title, "ylabels": ylabels, "xlabel": _time_label(runs.values())}
        axes[-1].set_xlabel(plotted["text"]["xlabel"])
        horizon_day = max(r.end_day for r in runs.values())
        _time_axis(axes[-1], horizon_day)
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False)
        fig.tight_layout(rect=(0, 0.045, 1, 1))
        path = _save(fig, out)
    return path, plotted


def _time_axis(ax, horizon_day):
    """Years from 0 to just past the horizon; at least a day wide (a run that failed at its
    first step ends at day 0: matplotlib warned of a singular axis and gave up the layout)."""
    ax.set_xlim(0, max(horizon_day, 1.0) / DAYS_PER_YEAR * 1.02)


def _clock_text(day, injury=True):
    year = int(day // DAYS_PER_YEAR)
    return f"year {year}, day {day - year * DAYS_PER_YEAR:.0f}   (day {day:.0f}{' after the injury' if injury else ''})"


def _state_at(run, history, day):
    """(run-or-history, snapshot index) to show at `day`: the branch's latest
    snapshot at or before `day`, else the history's; (None, None) before any."""
    for r in (run, history):
        if r is None or not r.has("fields"):
            continue
        ft = r.field_times
        if r is history and day >= run.field_times[0]:
            continue
        k = np.nonzero(ft <= day + 1e-9)[0]
        if len(k):
            return r, int(k[-1])
    return None, None


LAST_FRAME_MS = 2000  # the final state stays this long before the GIF loops


def animation(runs, out_gif, history=None, max_frames=80, dpi=110, fps=6, still=None):
    """GIF of two runs side by side (early, late: a dict label -> Run or a
    sequence of two Runs) with a clock. 1-D: depth profiles of a, c, Ch;
    2-D/3-D: the collagen field c as an image (3-D: averaged over y).
    Before a branch starts, its panel shows `history` (the untreated run).
    At the figures' dpi (110: it was 72, with 10-pixel legends); every frame
    lasts 1/fps s, the last LAST_FRAME_MS (the final state flashed by before
    the loop restarted). `still`: also write the last frame there as a PNG,
    for readers who cannot watch (or pause) the motion.

    Returns (path, info) with info = {"days": clock days, "n_frames": n,
    "durations": ms per frame, "size": (width, height) in pixels, "still":
    its path or None, "shown": [(label, source label, snapshot day) per panel
    per frame]}."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    if not isinstance(runs, dict):
        runs = {r.label: r for r in runs}
    items = list(runs.items())
    days = set()
    for r in [r for _, r in items] + ([history] if history is not None else []):
        if r.has("fields"):
            days.update(float(t) for t in r.field_times)
    end = max(r.end_day for _, r in items)
    days = np.array(sorted(d for d in days if d <= end + 1e-9))
    if len(days) > max_frames:
        days = days[np.unique(np.linspace(0, len(days) - 1, max_frames).round().astype(int))]
    dim = items[0][1].grid.dim
    info = {"days": list(days), "n_frames": len(days), "shown": [], "still": None}
    frames = []
    with _apply_font():
        fig = Figure(figsize=(9.6, 5.2), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(items), sharey=True, squeeze=False)[0]
        clock = fig.text(0.5, 0.955, "", ha="center", va="center", fontsize=14, weight="bold")
        artists = []
        for k, (ax, (label, run)) in enumerate(zip(axes, items)):
            g = run.grid
            inj = metrics.injection_day(run)
            name = pretty_label(label, run)
            ax.set_title(name, color="black", fontsize=12.5)  # colour means a species in these panels
            if dim == 1:
                lines = {s: ax.plot([], [], lw=2.4, color=col, ls=ls, label=lab)[0]
                         for s, (col, ls, lab) in SPECIES_STYLE.items()}
                ax.set_xlim(-0.02, 1.05)
                ax.set_ylim(0, g.H)
                ax.set_xlabel("fraction of healthy")
                ax.grid(alpha=0.3)
                if k == 0:
                    ax.set_ylabel("z above the tidemark (mm), surface at top")
                    ax.legend(loc="lower left", fontsize=10, handlelength=3)
                artists.append(("1d", lines))
            else:
                x = g.x if g.x is not None else np.arange(g.nx)
                im = ax.imshow(np.full((g.nz, len(x)), np.nan), origin="lower", aspect="auto",
                               extent=(0, g.Lx if np.isfinite(g.Lx) else len(x), 0, g.H),
                               vmin=0, vmax=1, cmap="viridis")
                ax.set_xlabel("lateral position x (mm)")
                if k == 0:
                    ax.set_ylabel("z above the tidemark (mm), surface at top")
                artists.append(("2d", im))
            note = ax.text(0.98, 0.02, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=10,
                           bbox=dict(boxstyle="round", fc="white", ec="#999999", alpha=0.85))
            artists[-1] = artists[-1] + (note, inj)
        if dim != 1:
            fig.colorbar(artists[-1][1], ax=list(axes), shrink=0.9, label="collagen c (fraction of healthy)"
                         + (", mean over y" if dim == 3 else ""))
        else:
            fig.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.86, wspace=0.08)
        injury = injured([r for _, r in items] + ([history] if history is not None else []))
        for day in days:
            clock.set_text(_clock_text(day, injury))
            for (kind, art, note, inj), (label, run) in zip(artists, items):
                src, idx = _state_at(run, history, day)
                if src is None:
                    info["shown"].append((label, None, None))
                    note.set_text("no data yet")
                    continue
                info["shown"].append((label, src.label, float(src.field_times[idx])))
                if kind == "1d":
                    for s, line in art.items():
                        line.set_data(src.depth_profile(s, idx), src.grid.z)
                else:
                    f = src.field("c")[idx]
                    art.set_data(f.mean(axis=1) if f.ndim == 3 else f)
                if inj is None:
                    note.set_text("no treatment")
                elif day < inj:
                    note.set_text(f"injection at day {inj:g}")
                else:
                    note.set_text(f"treated at day {inj:g}")
            canvas.draw()
            frames.append(Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                           "raw", "RGBA", 0, 1).convert("RGB"))
    info["durations"] = [round(1000 / fps)] * (len(frames) - 1) + [LAST_FRAME_MS] if frames else []
    info["size"] = frames[0].size if frames else (0, 0)
    if frames:
        with cli.writing(out_gif):
            frames[0].save(str(out_gif), save_all=True, append_images=frames[1:], duration=info["durations"], loop=0)
        if still is not None:
            with cli.writing(still):
                frames[-1].save(str(still))
            info["still"] = str(still)
    return str(out_gif), info


def _by(years, horizon_day):
    """years if reached by the horizon, else NaN (a longer run's later crossing)."""
    return years if years * DAYS_PER_YEAR <= horizon_day + 1e-6 else math.nan


def summary_table(runs, untreated_label="untreated"):
    """One SummaryRow per run: label, injection day (None untreated), thickness
    at the common horizon (mm), benefit (points of initial thickness; None for
    the untreated run), years_to_c80 (NaN: not reached by the horizon),
    synovitis_auc (day, at the horizon), msc_retained_30d (NaN: no MSCs)."""
    untreated = metrics.find_untreated(runs, untreated_label)
    T = metrics.horizon(runs.values())
    rows = []
    for label, run in runs.items():
        history = untreated if untreated is not None and run is not untreated else None
        benefit = metrics.benefit_points(run, untreated, T) if history is not None else None
        if benefit is None and run is not untreated and abs(run.time[-1] - T) < 1e-6:
            # a branch shown without its untreated run: its --baseline benefit, at the same horizon
            benefit = metrics.outcome_or(run, "benefit_thickness_points", lambda: None)
        rows.append(SummaryRow(
            label=label,
            injection_day=metrics.injection_day(run),
            thickness_mm=metrics.value_at(run, "thickness", T),
            benefit_points=benefit,
            years_to_c80=_by(metrics.outcome_or(run, "years_to_c80", lambda: metrics.years_to_c80(run, history)), T),
            synovitis_auc=metrics.value_at(run, "synovitis_auc", T),  # at the horizon, as the thickness
            msc_retained_30d=metrics.outcome_or(run, "msc_retained_30d", lambda: metrics.msc_retained(run, 30)),
        ))
    return rows


def format_points(v):
    """A benefit in percentage points, signed: +17.0, +0.04, -1.2; a value that
    rounds to zero is "0.00" (was "-0.00" for -0.001)."""
    text = f"{v:+.2f}" if abs(v) < 1 else f"{v:+.1f}"
    return "0.00" if float(text) == 0 else text


def format_number(v, digits=3, decimals=None):
    """Table formatting: None/NaN -> "–", else `digits` significant digits, or
    with `decimals` that many decimals (a column whose values line up: 2.120
    beside 2.119, where 4 significant digits gave 2.12)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.{decimals}f}" if decimals is not None else f"{v:.{digits}g}"
    return str(v)
