#!/usr/bin/python3
"""A stand-in for `cartsim run` and `cartsim check` used by the demo test:
understands the arguments postprocess.demo passes (-o, --save-state
DAY:FILE, --from-state, --set treatments[0].type/day/dose and output.dt,
--baseline) and writes synthetic files in the cartsim layout. Like cartsim it
reads the config (relative to its working directory): an unreadable one is
exit 4, a top-level key cartsim does not know exit 3 (`check` and `run`); its
run.t_end is the horizon (default 1825), its output.dt and
output.fields_every the steps (default 5 and 30; a --set output.dt wins),
its grid.dim the files' dimension (default 1);
`check` prints output, run and treatments resolved, as YAML.
FAKE_CARTSIM_FAIL=<label> makes that run fail (exit 7);
FAKE_CARTSIM_KILL=<label> makes that run die of SIGKILL (as the out-of-memory killer ends one);
FAKE_CARTSIM_SLEEP=<seconds> makes every run take that long;
FAKE_CARTSIM_PIDS=<dir> records each run's pid in <dir>/<label>.pid."""
import os
import signal
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cartsim_synthetic as cs  # noqa: E402


KEYS = ("base", "description", "model", "grid", "initial", "solver", "output", "run", "treatments")


def resolved(config):
    """output, run and treatments with cartsim's defaults, as `cartsim check` prints them."""
    return {"output": {"dt": 5, "fields_every": 30, **(config.get("output") or {})},
            "run": {"t_end": 1825, **(config.get("run") or {})}, "treatments": config.get("treatments") or []}


def main(argv):
    if argv[:1] not in (["run"], ["check"]):
        sys.stderr.write("fake cartsim: only 'run' and 'check'\n")
        return 2
    try:
        with open(argv[1]) as f:
            config = yaml.safe_load(f) or {}
    except OSError as err:
        sys.stderr.write(f"cartsim: error: cannot read the config {argv[1]}: {err.strerror}\n")
        return 4
    unknown = [k for k in config if k not in KEYS]
    if unknown:
        sys.stderr.write("".join(f"{argv[1]}:1:1: {k}: unknown key\n" for k in unknown) + f"{len(unknown)} errors\n")
        return 3
    if argv[0] == "check":
        sys.stdout.write(yaml.safe_dump(resolved(config)))
        return 0
    out, sets, states, from_state = None, {}, [], None
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "-o":
            out = argv[i + 1]; i += 2
        elif a == "--set":
            k, v = argv[i + 1].split("="); sets[k] = v; i += 2
        elif a == "--save-state":
            states.append(argv[i + 1].split(":", 1)); i += 2
        elif a in ("--from-state", "--baseline"):
            if a == "--from-state":
                from_state = argv[i + 1]
            if not os.path.exists(argv[i + 1]):
                sys.stderr.write(f"fake cartsim: {argv[i + 1]}: no such file\n")
                return 5
            i += 2
        else:
            i += 1
    label = os.path.splitext(os.path.basename(out))[0]
    if os.environ.get("FAKE_CARTSIM_PIDS"):
        with open(os.path.join(os.environ["FAKE_CARTSIM_PIDS"], f"{label}.pid"), "w") as f:
            f.write(f"{os.getpid()}\n")
    time.sleep(float(os.environ.get("FAKE_CARTSIM_SLEEP", "0")))
    if os.environ.get("FAKE_CARTSIM_KILL") == label:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("FAKE_CARTSIM_FAIL") == label:
        sys.stderr.write(f"fake cartsim: {label} failed on purpose\n")
        return 7
    kind = "untreated"
    if sets:
        kind = {("msc", "180"): "msc_early", ("msc", "1460"): "msc_late",
                ("il1ra", "180"): "il1ra_early"}[(sets["treatments[0].type"], sets["treatments[0].day"])]
    start = float(sets["treatments[0].day"]) if from_state else 0.0
    r = resolved(config)
    cs.write_run(out, kind, dim=int((config.get("grid") or {}).get("dim", 1)), start=start,
                 t_end=float(r["run"]["t_end"]),
                 dt=float(sets.get("output.dt", r["output"]["dt"])), fields_every=float(r["output"]["fields_every"]),
                 parameters={k: float(v) for k, v in (config.get("model") or {}).items()})
    for day, path in states:
        with open(path, "w") as f:
            f.write(f"state at day {day}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
