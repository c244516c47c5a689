"""Command line: figures (and the report) for any cartsim run files.

    /usr/bin/python3 -m postprocess.plot RUN.h5 [RUN2.h5 ...] [-o DIR] [--labels a,b]
        [--times 0,180,1460,1825] [--untreated LABEL] [--report] [--title TEXT] [--force]

Writes early_vs_late.png, profiles.png (runs with fields) and inflammation.png
into DIR (default: the directory of the first run), an .xmf beside every
2-D/3-D run file (it describes that file: rewritten each time), and with
--report also report.html. If DIR already holds any of those figures or
report.html, nothing is written (one line, exit 4), unless --force: the
default DIR of a demo's run files is the demo's own directory, whose
prepared report and figures were silently replaced.
Exit status: 0 ok, 2 bad arguments or a missing/unreadable file, 4 the
figures exist (without --force) or cannot be written (postprocess/cli.py).
An .xmf that cannot be written beside its run (a read-only data directory)
is reported and skipped.
"""

import argparse
import os
import sys

from . import cli, plots, report, xdmf
from .reader import CartsimFileError, Run


def parser(prog="python3 -m postprocess.plot", description=None):
    p = cli.ArgumentParser(prog=prog, description=description or __doc__.split("\n")[0])
    p.add_argument("runs", nargs="+", metavar="RUN.h5", help="cartsim output files")
    p.add_argument("-o", "--out", metavar="DIR", help="output directory (default: beside the first run)")
    p.add_argument("--labels", help="comma-separated labels, one per run (default: file names)")
    p.add_argument("--times", type=day_list, help="days of the depth profiles, comma-separated "
                   "(default: 0, each injection day, the end)")
    p.add_argument("--untreated", default="untreated", help="label of the untreated run (default: untreated)")
    p.add_argument("--report", action="store_true", help="also write report.html")
    p.add_argument("--title", default="cartsim: stem cells for knee cartilage, early vs late",
                   help="report title")
    p.add_argument("--force", action="store_true", help="replace figures (and report.html) already in DIR")
    return p


def day_list(text):
    """'0,180,1825' -> [0.0, 180.0, 1825.0]; argparse reports anything else (exit 2)."""
    try:
        days = [float(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of days") from None
    if any(not d >= 0.0 or d == float("inf") for d in days):
        raise argparse.ArgumentTypeError(f"{text!r}: days must be finite and >= 0")
    return days


def load_runs(paths, labels=None, prog="python3 -m postprocess.plot"):
    """label -> Run, in the given order. A missing or unreadable file, or labels
    that do not fit, end the tool with `PROG: error: ...` and exit 2."""
    labels = labels.split(",") if isinstance(labels, str) else labels
    if labels is not None and len(labels) != len(paths):
        cli.fail(prog, f"{len(labels)} labels for {len(paths)} runs", 2)
    runs = {}
    for i, path in enumerate(paths):
        if not os.path.isfile(path):
            cli.fail(prog, f"{path}: " + ("a directory, not a run file" if os.path.isdir(path) else "no such file"), 2)
        try:
            run = Run(path, label=labels[i] if labels else None)
            run.time  # noqa: B018 - fail early on a file without time series
        except CartsimFileError as err:
            cli.fail(prog, str(err), 2)
        if len(run.time) == 0:  # a run killed before its first flush (every few seconds) holds no row yet
            cli.fail(prog, f"{path}: no output step written yet (status {run.status!r}; stopped before its first "
                     "flush?): nothing to plot", 2)
        if run.label in runs:
            cli.fail(prog, f"two runs labelled {run.label!r}; use --labels", 2)
        runs[run.label] = run
    return runs


def default_times(runs):
    """0, every injection day, the last day of the runs."""
    days = {0.0, max(r.end_day for r in runs.values())}
    for r in runs.values():
        days.update(t["day"] for t in r.treatments)
    return sorted(days)


def outputs(runs, report_too):
    """The file names make_figures (and the report) write into DIR."""
    names = ["early_vs_late.png"] + (["profiles.png"] if any(r.has("fields") for r in runs.values()) else [])
    return names + ["inflammation.png"] + (["report.html"] if report_too else [])


def make_figures(runs, out_dir, times=None, untreated_label="untreated", log=print):
    """Write the standard figures for `runs` into out_dir; returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    figures = []
    path, _ = plots.early_vs_late(runs, os.path.join(out_dir, "early_vs_late.png"), untreated_label)
    figures.append(path)
    with_fields = {l: r for l, r in runs.items() if r.has("fields")}
    if with_fields:
        path, _ = plots.profiles(with_fields, os.path.join(out_dir, "profiles.png"),
                                 times if times is not None else default_times(runs), untreated_label)
        figures.append(path)
    else:
        log("note: no run has /fields (output.fields_every = 0): no profiles.png")
    path, _ = plots.inflammation(runs, os.path.join(out_dir, "inflammation.png"))
    figures.append(path)
    for r in runs.values():
        try:
            x = xdmf.write_xdmf(r.path)
        except OSError as err:
            log(f"note: no .xmf beside {r.path} ({err.strerror or err}); the figures are written")
            continue
        if x:
            log(f"wrote {x} and {xdmf.xdmf2_path(x)}")
    return figures


def main(argv=None, report_default=False, prog="python3 -m postprocess.plot"):
    args = parser(prog).parse_args(argv)
    runs = load_runs(args.runs, args.labels, prog)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.runs[0]))
    there = [n for n in outputs(runs, args.report or report_default) if os.path.exists(os.path.join(out_dir, n))]
    if there and not args.force:
        cli.fail(prog, f"{out_dir} already holds {', '.join(there)} (kept); use --force to replace "
                 f"{'them' if len(there) > 1 else 'it'}, or -o DIR", cli.EXIT_IO)
    out_dir = cli.output_dir(prog, out_dir)
    times = args.times
    if times:
        first, last = min(r.start_day for r in runs.values()), max(r.end_day for r in runs.values())
        outside = [d for d in times if not first - 1e-9 <= d <= last + 1e-9]
        if outside:
            sys.stderr.write(f"{prog}: note: --times {','.join(f'{d:g}' for d in outside)}: outside every run "
                             f"(days {first:g}-{last:g}); no depth profile there\n")
    for label, r in runs.items():
        if not r.complete:
            sys.stderr.write(f"{prog}: warning: {r.path} has status {r.status!r}: plotting what it holds\n")
    for line in report.comparability_notes(runs, args.untreated):
        sys.stderr.write(f"{prog}: warning: {line}\n")
    try:
        figures = make_figures(runs, out_dir, times, args.untreated)
        if args.report or report_default:
            figures.append(report.write_report(os.path.join(out_dir, "report.html"), figures, runs, args.title,
                                               args.untreated))
    except CartsimFileError as err:
        cli.fail(prog, str(err), 2)
    for f in figures:
        print(f"wrote {f}")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run("python3 -m postprocess.plot", main))
