"""Checkpoints, restart, signals and crashes, as a cluster job meets them.

- SIGTERM (Slurm's time limit) writes a checkpoint, marks the output
  "interrupted" and exits 6; --restart (here on 2 ranks) finishes the run
  and agrees with an uninterrupted run to solver tolerance; the stop comes
  after the integrator's current step, not at the next output time (the
  state there is one extra series row);
- SIGKILL at any moment leaves an output whose flushed steps read back,
  marked "running" (never "complete"), and --restart completes it;
- --restart refuses a checkpoint of another config (exit 3), a missing
  checkpoint (exit 4) and an output that is already complete (exit 4, the
  file untouched); a new run of an output (--force) drops the checkpoints of
  the earlier one, so that its own --restart takes its own;
- after a bone-marrow injection (potency q_RE x 0.7, K_MSC x 1.4), a restart
  from a later checkpoint (with the interrupted run's command line, whose
  --save-state day lies before the checkpoint) and a branch from a later saved state keep that
  potency and agree with the continuous run; a state file written before
  the potency was saved still loads (the config's potency);
- --restart checks its --save-state files before it changes anything: a day
  before the checkpoint whose file is missing cannot be reached (exit 2); a
  later day's existing file is replaced only if it is this run's own state
  (config fingerprint, source_output, day), anything else is refused (exit 4);
  a save that fails at its day gives the system's reason.
Run with CARTSIM_BIN and the repository root as working directory.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs", "reference.yaml")
BONE_MARROW = ["--set", "treatments[0].type=msc", "--set", "treatments[0].day=100", "--set", "treatments[0].dose=5e7",
               "--set", "treatments[0].source=bone_marrow", "--set", "run.t_end=300",
               "--set", "output.checkpoint_every=130"]

BIN = os.environ.get("CARTSIM_BIN", "build/cartsim")
CFG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interrupt.yaml")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           HDF5_USE_FILE_LOCKING="FALSE")
MPIRUN = shutil.which("mpirun")


def run(*args, ranks=1):
    cmd = ([MPIRUN, "--oversubscribe", "-n", str(ranks)] if ranks > 1 else []) + [BIN, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)


def start_and_wait_for_checkpoint(out, *extra, env=ENV):
    p = subprocess.Popen([BIN, "run", CFG, "-o", out, "--quiet", *extra], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not os.path.exists(out + ".ckpt.0.h5"):
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            raise AssertionError(f"no checkpoint appeared (exit {p.returncode})")
        time.sleep(0.02)
    return p


def series(path):
    with h5py.File(path, "r", locking=False) as f:
        return ({k: f["timeseries"][k][:] for k in f["timeseries"]}, {k: f["outcomes"][k][()] for k in f["outcomes"]},
                f["meta"].attrs["status"], f["fields/c"][:])


def restarted_from(path):
    with h5py.File(path, "r", locking=False) as f:
        return float(f["meta"].attrs["restarted_from_day"])


class Reliability(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.full = os.path.join(cls.tmp.name, "full.h5")
        r = run("run", CFG, "-o", cls.full, "--quiet")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_matches_full(self, path, interrupted_at=None, full=None):
        """The restarted output against the uninterrupted run (`full`, default the
        class's). interrupted_at: the day a signal stopped the run between two
        output times; its series row is the one row the uninterrupted run does
        not have."""
        a, oa, sa, ca = series(full or self.full)
        b, ob, sb, cb = series(path)
        self.assertEqual(sb, "complete")
        extra = ~np.isin(b["time"], a["time"])
        self.assertEqual(list(b["time"][extra]), [] if interrupted_at is None else [interrupted_at])
        b = {k: v[~extra] for k, v in b.items()}
        for k, v in a.items():
            self.assertEqual(v.shape, b[k].shape, k)
            # min_<s> is a round-off-level diagnostic near zero (min_E ~1e-17): its scale is the
            # species' own (mean_<s>), as in tests/regression/check_branch.py
            ref = "mean_" + k[4:] if k.startswith("min_") and "mean_" + k[4:] in a else k
            scale = np.max(np.abs(a[ref])) + 1e-30
            np.testing.assert_allclose(b[k], v, rtol=1e-4, atol=1e-6 * scale, err_msg=k)
        np.testing.assert_allclose(cb, ca, rtol=1e-4, atol=1e-6)
        for k, v in oa.items():
            if np.isfinite(v):
                self.assertAlmostEqual(ob[k] / v, 1.0, delta=1e-4, msg=k)

    def test_sigterm_then_restart_on_two_ranks(self):
        out = os.path.join(self.tmp.name, "term.h5")
        p = start_and_wait_for_checkpoint(out)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        self.assertIn("--restart", err)
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "interrupted")
        r = run("run", CFG, "-o", out, "--quiet", "--restart", ranks=2)
        self.assertEqual(r.returncode, 0, r.stderr)
        day = restarted_from(out)
        self.assert_matches_full(out, None if day % 5 == 0 else day)  # output.dt 5
        with h5py.File(out, "r", locking=False) as f:  # /meta said 1 rank, and wall < solve seconds
            self.assertEqual(int(f["meta"].attrs["ranks"]), 2, "the ranks of the segment that finished")
            self.assertGreaterEqual(float(f["meta"].attrs["wall_seconds"]), float(f["meta"].attrs["solve_seconds"]),
                                    "wall time counts every segment, as the solve time does")
            # the solver's counters carry on from the checkpoint (cumulative over both segments)
            for k in ("steps", "rhs_evals", "newton_iters", "prec_setups", "prec_setup_calls", "prec_solves"):
                v = f["solver"][k][:]
                self.assertTrue(np.all(np.diff(v) >= 0), f"/solver/{k} drops at the restart: {v}")
            calls, setups = f["solver/prec_setup_calls"][-1], f["solver/prec_setups"][-1]
            self.assertGreater(calls, setups, "setups for a new gamma only are counted as well")
            self.assertGreater(setups, 0)
        ckpts = [n for n in os.listdir(self.tmp.name) if n.startswith("term.h5.ckpt.")]
        self.assertLessEqual(len(ckpts), 2, ckpts)

    def test_a_new_run_of_an_output_drops_its_old_checkpoints(self):
        """A complete run keeps its last two checkpoints (here 17 and 18). The same output run again
        with --force and stopped by SIGTERM numbers its checkpoints from 0: --restart took the old
        run's newer one and was refused ("the output holds 14 steps, the checkpoint 101")."""
        out = os.path.join(self.tmp.name, "again.h5")
        r = run("run", CFG, "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        old = sorted(n for n in os.listdir(self.tmp.name) if n.startswith("again.h5.ckpt."))
        self.assertTrue(old and "again.h5.ckpt.0.h5" not in old, old)
        p = start_and_wait_for_checkpoint(out, "--force")
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        left = [n for n in old if os.path.exists(os.path.join(self.tmp.name, n))]
        self.assertEqual(left, [], "the first run's checkpoints survived the new run of the output")
        r = run("run", CFG, "-o", out, "--quiet", "--restart")
        self.assertEqual(r.returncode, 0, r.stderr)
        day = restarted_from(out)
        self.assert_matches_full(out, None if day % 5 == 0 else day)  # output.dt 5

    def test_the_restart_advice_runs_as_pasted(self):
        """After SIGTERM the advice named the config and -o unquoted ("cartsim run l 2d.yaml -o o u t.h5
        --restart") and said "and the run's --set options" without them: pasted, it failed. It is now the
        command line itself, shell-quoted (as /meta command_line), plus --restart."""
        d = os.path.join(self.tmp.name, "it's a dir")
        os.makedirs(d)
        cfg = os.path.join(d, "my run.yaml")
        with open(cfg, "w") as f:
            f.write(f"base: {CFG}\n")
        out = os.path.join(d, "o u t.h5")
        p = subprocess.Popen([BIN, "run", cfg, "-o", out, "--quiet", "--set", "description=Ann's knee",
                              "--set", "treatments[0].day=150"], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while not os.path.exists(out + ".ckpt.0.h5") and p.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        advice = err.strip().split("continue with the same command plus --restart: ", 1)[1]
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["command_line"] + " --restart", advice)
        r = subprocess.run(["bash", "-c", advice], capture_output=True, text=True, env=ENV, timeout=300,
                           cwd=self.tmp.name)
        self.assertEqual(r.returncode, 0, (advice, r.stderr))
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "complete")
            self.assertEqual(f["meta"].attrs["description"], "Ann's knee")
            self.assertGreater(f["meta"].attrs["restarted_from_day"], 0)

    def test_sigterm_stops_after_the_current_step_not_at_the_next_output(self):
        # output only at days 0, 200 and 400: a signal early in the run used to
        # wait for day 200; now the run stops after the step it is taking
        out = os.path.join(self.tmp.name, "prompt.h5")
        sparse = ["--set", "output.dt=200", "--set", "output.fields_every=200"]
        p = subprocess.Popen([BIN, "run", CFG, "-o", out, "--quiet", *sparse], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while not os.path.exists(out) and p.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "interrupted")
            t = f["timeseries/time"][:]
        self.assertEqual(len(t), 2, "the start and the interruption")
        self.assertTrue(0 < t[1] < 200, f"stopped at day {t[1]}, not at an output time")
        self.assertIn(f"at day {t[1]:g}", err)
        full = os.path.join(self.tmp.name, "prompt_full.h5")
        self.assertEqual(run("run", CFG, "-o", full, "--quiet", *sparse).returncode, 0)
        r = run("run", CFG, "-o", out, "--quiet", "--restart", *sparse)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(restarted_from(out), t[1])
        self.assertEqual(list(series(out)[0]["time"]), [0.0, t[1], 200.0, 400.0])
        self.assert_matches_full(out, interrupted_at=t[1], full=full)

    def test_sigkill_leaves_a_readable_file_and_restart_completes_it(self):
        out = os.path.join(self.tmp.name, "kill.h5")
        # its private MPI session directory (cartsim-mpi-*), which a SIGKILL leaves, goes with the test's
        p = start_and_wait_for_checkpoint(out, env=dict(ENV, TMPDIR=self.tmp.name))
        time.sleep(0.2)
        self.assertIsNone(p.poll(), "the run ended before the kill: make interrupt.yaml longer")
        p.kill()
        p.communicate()
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "running", "a killed run is never marked complete")
            n = {f["timeseries"][k].shape[0] for k in f["timeseries"]}
            self.assertEqual(len(n), 1, "every series has the same number of flushed steps")
            self.assertGreaterEqual(n.pop(), 2)
            self.assertTrue(np.all(np.isfinite(f["timeseries/thickness"][:])))
            for k in f["fields"]:  # every flushed chunk reads back (a moved deflated chunk once did not)
                self.assertTrue(np.all(np.isfinite(f["fields"][k][:])), k)
        r = run("run", CFG, "-o", out, "--quiet", "--restart")
        self.assertEqual((r.returncode, r.stderr), (0, ""), "the same build: no warning")
        self.assert_matches_full(out)

    def test_restart_by_another_build_is_recorded_and_said(self):
        """A --restart by another build (an upgrade while a run was stopped) continued the file without
        a word, /meta git_sha naming the first build only. The other build is simulated by editing
        /meta git_sha of the stopped file."""
        out = os.path.join(self.tmp.name, "upgrade.h5")
        p = start_and_wait_for_checkpoint(out)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        with h5py.File(out, "r+", locking=False) as f:
            ours = f["meta"].attrs["git_sha"]
            ours = ours.decode() if isinstance(ours, bytes) else ours
            f["meta"].attrs["git_sha"] = "0123abc-older"
        r = run("run", CFG, "-o", out, "--quiet", "--restart")
        self.assertEqual(r.returncode, 0, r.stderr)
        day = restarted_from(out)
        self.assertEqual(r.stderr, f"cartsim: warning: {out} was started by cartsim git 0123abc-older; this build "
                                   f"(git {ours}) continues it from day {day:g}, so its segments come from "
                                   "different builds (/meta restarted_git_sha)\n")
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["git_sha"], "0123abc-older", "the first segment's build is kept")
            self.assertEqual(f["meta"].attrs["restarted_git_sha"], ours)
        self.assert_matches_full(out, None if day % 5 == 0 else day)  # output.dt 5

    def test_restart_refuses_another_config_and_needs_a_checkpoint(self):
        out = os.path.join(self.tmp.name, "other.h5")
        p = start_and_wait_for_checkpoint(out)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=120)
        r = run("run", CFG, "-o", out, "--quiet", "--restart", "--set", "model.k_a=0.2")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("another config", r.stderr)
        r = run("run", CFG, "-o", os.path.join(self.tmp.name, "none.h5"), "--quiet", "--restart")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("no checkpoint", r.stderr)

    def test_restart_says_what_is_missing(self):
        """The output gone but its checkpoints kept: 'cannot open X for writing' (say it does not exist).
        Every checkpoint unreadable: 'no checkpoint found (set output.checkpoint_every)', although one
        is there (say which is unreadable)."""
        ckpts = sorted(n for n in os.listdir(self.tmp.name) if n.startswith("full.h5.ckpt."))
        self.assertTrue(ckpts)
        gone = os.path.join(self.tmp.name, "gone.h5")
        for n in ckpts:
            shutil.copy(os.path.join(self.tmp.name, n), os.path.join(self.tmp.name, n.replace("full.h5", "gone.h5")))
        r = run("run", CFG, "-o", gone, "--quiet", "--restart")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stderr, f"cartsim: error: --restart: {gone} does not exist: --restart continues an existing "
                         "output (to start the run again, leave out --restart)\n")
        bad = os.path.join(self.tmp.name, "bad.h5")
        shutil.copy(self.full, bad)
        with h5py.File(bad, "a", locking=False) as f:
            f["meta"].attrs["status"] = "interrupted"
        with open(bad + ".ckpt.3.h5", "w") as f:
            f.write("garbage")
        r = run("run", CFG, "-o", bad, "--quiet", "--restart")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stderr, f"cartsim: error: --restart: no readable checkpoint of {bad}: {bad}.ckpt.3.h5 is not "
                         "a readable cartsim state file (cut short by a kill or a full disk?)\n")
        # a checkpoint whose fingerprint is damaged (not 16 hex digits) is unreadable too: it was
        # reported as written with another config (exit 3: "restart with the config of the run")
        shutil.copy(os.path.join(self.tmp.name, ckpts[-1]), bad + ".ckpt.4.h5")
        with h5py.File(bad + ".ckpt.4.h5", "a", locking=False) as f:
            f.attrs["config_fingerprint"] = np.bytes_("3a9\x00garbled-xx")
        r = run("run", CFG, "-o", bad, "--quiet", "--restart")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stderr, f"cartsim: error: --restart: no readable checkpoint of {bad}: {bad}.ckpt.4.h5 (and "
                         "every older one) is not a readable cartsim state file (cut short by a kill or a full disk?)\n")

    def test_restart_refuses_a_save_day_it_cannot_reach(self):
        """--restart with a --save-state day before the checkpoint it continues from, whose file the
        interrupted run did not write (the option was added to the command line): the day cannot be
        reached again. It was dropped silently (exit 0, no file); now exit 2 before anything is done,
        the output left as it was."""
        out = os.path.join(self.tmp.name, "unreached.h5")
        state = os.path.join(self.tmp.name, "unreached_s10.h5")
        p = start_and_wait_for_checkpoint(out)  # the first checkpoint is at day 20
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        with open(out, "rb") as f:
            before = f.read()
        r = run("run", CFG, "-o", out, "--quiet", "--restart", "--save-state", f"10:{state}")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"--save-state 10:{state}: day 10 is not after day ", r.stderr)
        self.assertIn("a restart cannot reach that day", r.stderr)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        self.assertFalse(os.path.exists(state))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before, "the refused restart changed the output")

    def test_restart_replaces_only_its_own_later_state(self):
        """A run killed after saving the state of day 300 but before a checkpoint after it: its
        --restart (from the checkpoint of day 200) saves day 300 again and must replace its own file,
        which it refused at day 300, after simulating, without --force. A file there that is not
        this run's state (another output's) is refused before the restart changes anything, as
        without --restart (it failed at day 300, leaving the output marked failed)."""
        common = ["--quiet", "--set", "run.t_end=400", "--set", "output.checkpoint_every=200"]
        d = self.tmp.name
        out, mine, other = (os.path.join(d, n) for n in ("own.h5", "own_s300.h5", "own_other_s300.h5"))
        r = run("run", REF, "-o", out, *common, "--save-state", f"300:{mine}")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("run", REF, "-o", os.path.join(d, "own_other.h5"), *common, "--save-state", f"300:{other}")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(out + ".ckpt.0.h5", "r", locking=False) as f:
            self.assertEqual(float(f.attrs["time"]), 200.0)
        self.assertFalse(os.path.exists(out + ".ckpt.1.h5"))
        with h5py.File(out, "a", locking=False) as f:  # as SIGKILL leaves it: after day 300, before 400
            f["meta"].attrs["status"] = "running"
        with open(out, "rb") as f:
            before = f.read()
        with open(other, "rb") as f:
            other_before = f.read()
        r = run("run", REF, "-o", out, *common, "--restart", "--save-state", f"300:{other}")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stderr, f"cartsim: error: --save-state 300:{other}: {other} exists and is not the state this "
                         "run saved at day 300 (--restart replaces only that; use --force to overwrite)\n")
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before, "the refused restart changed the output")
        with open(other, "rb") as f:
            self.assertEqual(f.read(), other_before)
        inode = os.stat(mine).st_ino
        r = run("run", REF, "-o", out, *common, "--restart", "--save-state", f"300:{mine}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(restarted_from(out), 200.0)
        self.assertNotEqual(os.stat(mine).st_ino, inode, "the state of day 300 was not saved again")
        with h5py.File(mine, "r", locking=False) as f:
            self.assertEqual(float(f.attrs["time"]), 300.0)

    def test_restart_from_another_directory_knows_its_own_state(self):
        """The same as above with a relative -o, restarted from another working directory with
        another spelling of it: the state recorded -o as typed ("own.h5"), which the restart's
        "sub/own.h5" did not match, so it was refused as another output's (use --force)."""
        common = ["--quiet", "--set", "run.t_end=400", "--set", "output.checkpoint_every=200"]
        sub = os.path.join(self.tmp.name, "sub")
        os.mkdir(sub)
        binary = os.path.abspath(BIN)

        def run_in(cwd, *args):
            return subprocess.run([binary, *args], capture_output=True, text=True, env=ENV, timeout=300, cwd=cwd)

        r = run_in(sub, "run", os.path.abspath(REF), "-o", "own.h5", *common, "--save-state", "300:own_s300.h5")
        self.assertEqual(r.returncode, 0, r.stderr)
        out, mine = os.path.join(sub, "own.h5"), os.path.join(sub, "own_s300.h5")
        with h5py.File(mine, "r", locking=False) as f:
            self.assertEqual(f.attrs["source_output"].decode() if isinstance(f.attrs["source_output"], bytes)
                             else f.attrs["source_output"], os.path.realpath(sub) + "/own.h5")
        with h5py.File(out, "a", locking=False) as f:  # as SIGKILL leaves it: after day 300, before 400
            f["meta"].attrs["status"] = "running"
        inode = os.stat(mine).st_ino
        r = run_in(self.tmp.name, "run", os.path.abspath(REF), "-o", "sub/own.h5", *common, "--restart",
                   "--save-state", "300:sub/own_s300.h5")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(restarted_from(out), 200.0)
        self.assertNotEqual(os.stat(mine).st_ino, inode, "the state of day 300 was not saved again")

    def test_a_state_directory_gone_at_the_save_day_is_named(self):
        """The directory of a --save-state file removed while the run goes on: the failure at the save
        day gives the system's reason, not a guess ('is the directory writable?')."""
        sub = os.path.join(self.tmp.name, "gone_dir")
        os.mkdir(sub)
        out = os.path.join(self.tmp.name, "gone_dir.h5")
        p = subprocess.Popen([BIN, "run", CFG, "-o", out, "--quiet", "--save-state", f"390:{sub}/s.h5"], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while not os.path.exists(out) and p.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        os.rmdir(sub)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 4, err)
        self.assertEqual(err, f"cartsim: error: cannot write the state file {sub}/s.h5: directory {sub}: No such file "
                         "or directory\n")

    def test_a_new_run_removes_only_checkpoints(self):
        """A new run of OUT.h5 removed every file named OUT.h5.ckpt.<n>.h5, whatever it was (a copy of a
        complete run was lost). Only cartsim state files go; another is kept, with a warning."""
        out = os.path.join(self.tmp.name, "mine.h5")
        shutil.copy(self.full, out + ".ckpt.1.h5")  # a run's result, not a checkpoint
        ckpt = sorted(n for n in os.listdir(self.tmp.name) if n.startswith("full.h5.ckpt."))[0]
        shutil.copy(os.path.join(self.tmp.name, ckpt), out + ".ckpt.0.h5")  # a real (stale) checkpoint
        r = run("run", CFG, "-o", out, "--quiet", "--set", "run.t_end=200", "--set", "output.checkpoint_every=0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(out + ".ckpt.1.h5"), "a file that is not a checkpoint was removed")
        self.assertFalse(os.path.exists(out + ".ckpt.0.h5"), "a stale checkpoint was kept")
        self.assertEqual(r.stderr, f"cartsim: warning: kept {out}.ckpt.1.h5: not a cartsim checkpoint (a new run of "
                         f"{out} removes the checkpoints of an earlier one; --restart skips it)\n")


    def test_a_1d_restart_on_another_rank_count_keeps_its_record_of_the_krylov_method(self):
        """solver.krylov auto is none for a 1-D run on one rank (the depth line solved exactly) and gmres on
        two. A restart on the other count changed method while /parameters/solver/krylov kept the first
        segment's: "none" in a file whose krylov_iters end at 200,000. Now 2 -> 1 ranks keeps gmres, and
        1 -> 2 says so and records /meta restarted_krylov."""
        d = tempfile.mkdtemp(dir=self.tmp.name)
        args = ["--quiet", "--set", "output.checkpoint_every=300"]

        def interrupted(name, ranks):
            out = os.path.join(d, name)
            r = run("run", REF, "-o", out, *args, ranks=ranks)
            self.assertEqual(r.returncode, 0, r.stderr)
            with h5py.File(out, "a", locking=False) as f:
                f["meta"].attrs["status"] = "interrupted"
                return out, f["parameters/solver/krylov"][()].decode(), f["solver/krylov_iters"][-1]

        out, krylov, iters = interrupted("one.h5", 1)
        self.assertEqual((krylov, iters), ("none", 0))
        r = run("run", REF, "-o", out, *args, "--restart", ranks=2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("was solved with solver.krylov none", r.stderr)
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "complete")
            self.assertEqual(f["meta"].attrs["restarted_krylov"], "gmres")
            self.assertGreater(f["solver/krylov_iters"][-1], 0)
        out, krylov, iters = interrupted("two.h5", 2)
        self.assertEqual(krylov, "gmres")
        r = run("run", REF, "-o", out, *args, "--restart", ranks=1)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with h5py.File(out, "r", locking=False) as f:
            self.assertNotIn("restarted_krylov", f["meta"].attrs)
            self.assertGreater(f["solver/krylov_iters"][-1], iters, "the one-rank segment ran gmres, as recorded")

    def test_checkpoints_never_replace_a_file_the_run_kept(self):
        """A new run keeps a file of a checkpoint's name that it reads (--from-state) or that is no
        checkpoint, with a warning; but its own checkpoints were still numbered from 0, so its
        checkpoint 2 replaced the state it had branched from (-o y.h5 --force --from-state
        y.h5.ckpt.2.h5) and its rotation then deleted it and the other kept file, exit 0. Its
        checkpoints now come after every kept file, on a restart too, and it removes only its own."""
        d = tempfile.mkdtemp(dir=self.tmp.name)
        out = os.path.join(d, "y.h5")
        short = ["--quiet", "--set", "output.checkpoint_every=5"]
        r = run("run", REF, "-o", out, "--set", "run.t_end=20", *short)
        self.assertEqual(r.returncode, 0, r.stderr)
        src = out + ".ckpt.2.h5"
        with h5py.File(src, "r", locking=False) as f:
            self.assertEqual(f.attrs["time"], 15.0)
        with open(src, "rb") as f:
            state = f.read()
        os.remove(out + ".ckpt.1.h5")
        with open(out + ".ckpt.0.h5", "w") as f:
            f.write("my notes\n")
        branch = ["run", REF, "-o", out, "--force", "--from-state", src, "--set", "run.t_end=60", *short]
        r = run(*branch)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"kept {src}, which this run reads", r.stderr)
        self.assertIn(f"kept {out}.ckpt.0.h5: not a cartsim checkpoint", r.stderr)

        def kept_intact():
            with open(src, "rb") as f:
                self.assertEqual(f.read(), state, "the state the run branched from was replaced")
            with open(out + ".ckpt.0.h5") as f:
                self.assertEqual(f.read(), "my notes\n")

        def own():
            return sorted(int(n.split(".")[3]) for n in os.listdir(d) if n.startswith("y.h5.ckpt.")
                          and n.split(".")[3] not in ("0", "2"))

        kept_intact()
        mine = own()
        self.assertEqual(len(mine), 2, os.listdir(d))  # the last two, as always
        self.assertGreater(mine[0], 2, "the run's checkpoints are numbered after the kept files")
        # an interrupted run of the branch restarts from its own newest checkpoint, numbers the
        # next after every file there and again removes only its own
        with h5py.File(f"{out}.ckpt.{mine[0]}.h5", "r", locking=False) as f:
            day = f.attrs["time"]
        os.remove(f"{out}.ckpt.{mine[1]}.h5")
        with open(f"{out}.ckpt.{mine[1] + 1}.h5", "w") as f:  # a stray file past the run's numbers
            f.write("not a checkpoint\n")
        with h5py.File(out, "a", locking=False) as f:
            f["meta"].attrs["status"] = "interrupted"
        r = run(*branch[:4], *branch[5:], "--restart")
        self.assertEqual(r.returncode, 0, r.stderr)
        kept_intact()
        with open(f"{out}.ckpt.{mine[1] + 1}.h5") as f:
            self.assertEqual(f.read(), "not a checkpoint\n")
        with h5py.File(out, "r", locking=False) as f:
            self.assertEqual(f["meta"].attrs["status"], "complete")
            self.assertEqual(f["meta"].attrs["restarted_from_day"], day)
        after = own()
        self.assertEqual(after[:2], [mine[0], mine[1] + 1], after)
        self.assertTrue(all(n > mine[1] + 1 for n in after[2:]) and len(after) <= 4, after)
        # a --save-state file named as a checkpoint would be replaced or removed by one: refused
        r = run("run", REF, "-o", os.path.join(d, "z.h5"), "--set", "run.t_end=20",
                "--save-state", f"10:{os.path.join(d, 'z.h5.ckpt.1.h5')}", *short)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("is named as the output's checkpoints are", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(d, "z.h5")))


class AfterAnInjection(unittest.TestCase):
    """1-D reference run, bone-marrow MSCs at day 100, checkpoints at days 130 and 260."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.full = os.path.join(cls.tmp.name, "full.h5")
        cls.state = os.path.join(cls.tmp.name, "day130.h5")
        r = run("run", REF, "-o", cls.full, "--quiet", "--save-state", f"130:{cls.state}", *BONE_MARROW)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_follows_full(self, path, rtol):
        with h5py.File(self.full, "r", locking=False) as a, h5py.File(path, "r", locking=False) as b:
            self.assertEqual(b["meta"].attrs["status"], "complete")
            ta, tb = a["timeseries/time"][:], b["timeseries/time"][:]
            idx = np.searchsorted(ta, tb)
            np.testing.assert_allclose(ta[idx], tb, atol=1e-9)
            for k in ("P_s", "mean_P", "synovitis", "mean_E", "N_syn", "thickness"):
                x, y = a["timeseries"][k][:][idx], b["timeseries"][k][:]
                np.testing.assert_allclose(y, x, rtol=rtol, atol=1e-6 * np.max(np.abs(x)), err_msg=k)

    def copy_output(self, name, status):
        out = os.path.join(self.tmp.name, name)
        shutil.copy(self.full, out)
        for n in (1, 0):  # the newest checkpoint is the one --restart takes (day 260)
            src = f"{self.full}.ckpt.{n}.h5"
            if os.path.exists(src):
                shutil.copy(src, f"{out}.ckpt.{n}.h5")
        with h5py.File(out, "a", locking=False) as f:
            f["meta"].attrs["status"] = status
        return out

    def test_restart_after_the_injection_keeps_the_source_potency(self):
        out = self.copy_output("restarted.h5", "interrupted")
        with open(self.state, "rb") as f:
            saved = f.read()
        # the interrupted run's own command line: its state save (day 130) lies before the checkpoint
        r = run("run", REF, "-o", out, "--quiet", "--restart", "--save-state", f"130:{self.state}", *BONE_MARROW)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.state, "rb") as f:
            self.assertEqual(f.read(), saved, "the state saved before the checkpoint was rewritten")
        with h5py.File(out, "r", locking=False) as f:
            self.assertGreater(f["meta"].attrs["restarted_from_day"], 100)
        self.assert_follows_full(out, 1e-4)

    def test_restart_refuses_a_complete_output_and_leaves_it_alone(self):
        out = self.copy_output("done.h5", "complete")
        with open(out, "rb") as f:
            before = f.read()
        r = run("run", REF, "-o", out, "--quiet", "--restart", *BONE_MARROW)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("is complete", r.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_branch_after_the_injection_keeps_the_source_potency(self):
        out = os.path.join(self.tmp.name, "branch.h5")
        r = run("run", REF, "--from-state", self.state, "-o", out, "--quiet", "--set", "run.t_end=300")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_follows_full(out, 1e-4)

    def test_a_state_without_the_potency_loads_with_the_configs(self):
        old = os.path.join(self.tmp.name, "old_state.h5")
        shutil.copy(self.state, old)
        with h5py.File(old, "a", locking=False) as f:
            self.assertAlmostEqual(f.attrs["q_RE_in_use"] / 2e-4, 0.7)
            del f.attrs["q_RE_in_use"], f.attrs["K_MSC_in_use"]
        out = os.path.join(self.tmp.name, "old_branch.h5")
        r = run("run", REF, "--from-state", old, "-o", out, "--quiet", "--set", "run.t_end=300")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
