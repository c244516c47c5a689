"""The cartsim command line as a user runs it: exit codes, one-line errors
that name the file, line, key and value, and no output passed off as
complete. Run with CARTSIM_BIN=path/to/cartsim and the repository root as
the working directory."""
import fcntl
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

BIN = os.environ.get("CARTSIM_BIN", "build/cartsim")
REF = "configs/reference.yaml"
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def cartsim(*args, cwd=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=ENV, timeout=120, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def built_with_asan():
    """Is BIN an AddressSanitizer build (quickstart.sh's build-asan in CI)?"""
    try:
        with open(BIN, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def replaced(name, data):
    """An edit for Cli.edited_copy: dataset `name` replaced by `data`."""
    def edit(f):
        del f[name]
        f[name] = data
    return edit


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assert_refused_keeping(self, code, err, text, files, args):
        """A run refused with exit 2 and one line containing text, each of files (name: bytes) as it was,
        no o.h5 written."""
        self.assertEqual(code, 2, err)
        self.assertIn(text, err)
        self.assertEqual(err.count("\n"), 1, err)
        for n, data in files.items():
            with open(os.path.join(self.dir, n), "rb") as f:
                self.assertEqual(f.read(), data, f"{args}: {n} was overwritten")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "o.h5")))

    def edited_copy(self, src, name, edit):
        """A copy of HDF5 file src named name in the test directory, changed by edit(h5py.File)."""
        path = os.path.join(self.dir, name)
        shutil.copyfile(src, path)
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    def test_usage_errors_exit_2(self):
        for args in ([], ["bogus"], ["run"], ["run", REF, "--bogus"], ["run", REF, "--set", "novalue"],
                     ["run", REF, "--save-state", "x.h5"], ["run", REF, "-o", ""], ["run", REF, "--from-state", ""],
                     ["run", REF, "--baseline", ""]):
            code, _, err = cartsim(*args)
            self.assertEqual(code, 2, args)
            self.assertRegex(err, r"^cartsim: error: [^\n]* \(cartsim --help shows the usage\)\n$", "one line")
            self.assertEqual(err.count("--help"), 1, f"the hint once: {err}")

    def test_single_valued_options_given_twice_are_refused(self):
        """-o a -o b ran into b, --from-state s10 --from-state s20 branched from day 20: the first was
        dropped without a word."""
        for opt in ("-o", "--output", "--from-state", "--baseline"):
            code, _, err = cartsim("run", os.path.abspath(REF), opt, "a.h5", opt, "b.h5", "--quiet",
                                   "--set", "run.t_end=10", cwd=self.dir)
            self.assertEqual(code, 2, err)
            self.assertEqual(err, f"cartsim: error: {opt} given twice (a.h5 and b.h5): give it once "
                             "(cartsim --help shows the usage)\n")
        code, _, err = cartsim("sweep", "s.yaml", "-o", "a", "-o", "b", cwd=self.dir)
        self.assertEqual(code, 2, err)
        self.assertIn("-o given twice", err)
        # --task 0 --tasks 2 --task 1 ran task 1's rows, in a batch script quietly another slice
        for opt in ("--task", "--tasks", "--ranks-per-run"):
            code, _, err = cartsim("sweep", "s.yaml", "-o", "a", "--task", "0", "--tasks", "2",
                                   *([opt, "1"] if opt != "--tasks" else ["--tasks", "3"]), cwd=self.dir)
            if opt == "--ranks-per-run":
                code, _, err = cartsim("sweep", "s.yaml", "-o", "a", opt, "1", opt, "2", cwd=self.dir)
            self.assertEqual(code, 2, err)
            self.assertRegex(err, f"^cartsim: error: {opt} given twice \\(")
        code, _, err = cartsim("--version", "extra")
        self.assertEqual((code, err), (2, "cartsim: error: --version takes no arguments (got 'extra') "
                                          "(cartsim --help shows the usage)\n"))
        self.assertEqual(os.listdir(self.dir), [], "nothing is written")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_what_goes_to_stdout_is_complete_or_an_error(self):
        """check's resolved config, --keys and --version to a full disk: exit 0 and a file cut off
        inside model:, itself a valid config that silently lost the lesion and the treatment."""
        for args in (["check", "configs/lesion2d.yaml"], ["check", REF], ["check", "--keys"], ["--version"]):
            with open("/dev/full", "w") as full:
                p = subprocess.run([BIN, *args], stdout=full, stderr=subprocess.PIPE, text=True, env=ENV,
                                   timeout=120)
            self.assertEqual(p.returncode, 4, (args, p.stderr))
            self.assertRegex(p.stderr, r"^cartsim: error: cannot write the standard output: [^\n]+\n$", args)

    def test_save_state_day_is_read_as_the_config_reads_numbers(self):
        """-5 said 'expected DAY:FILE' (not that the day is out of range), 1e400 was echoed as inf, and
        0x5 was read as day 5 (the config refuses hex)."""
        out = os.path.join(self.dir, "o.h5")
        for day, text in (("-5", "the day must lie after the start (day 0) and not after run.t_end = 10"),
                          ("1e400", "the day 1e400: too large: must be a finite number"),
                          ("0x5", "the day 0x5: not a number"), ("abc", "the day abc: not a number"),
                          ("", "expected DAY:FILE")):
            code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=10",
                                   "--save-state", f"{day}:{self.dir}/s.h5")
            self.assertEqual(code, 2, err)
            self.assertIn(f"--save-state {day}:{self.dir}/s.h5: {text}", err)
            self.assertNotIn("inf", err)
        self.assertEqual(os.listdir(self.dir), [], "nothing is written")

    def test_demo_without_a_usable_python(self):
        """cartsim demo/explore hand over to Python: an interpreter path that cannot be run is exit 4 naming
        it and where it came from (it said 'none was found when cartsim was configured', even for a bad
        CARTSIM_PYTHON); an interpreter without numpy/h5py is the postprocess tools' exit 3, one line
        saying what to install and how to point cartsim at another interpreter. Nothing is written."""
        out = os.path.join(self.dir, "demo")
        os.makedirs(os.path.join(self.dir, "fake"))
        self.write("fake/h5py.py", "raise ImportError('h5py hidden by the test')\n")
        unusable = {  # CARTSIM_PYTHON: what cartsim says about it
            "/nonexistent/python3": "the Python interpreter /nonexistent/python3 (from CARTSIM_PYTHON) cannot be run: "
                                    "No such file or directory",
            # an executable that is not Python 3 ran in the demo's place and exited 1, silently
            "/bin/false": "/bin/false (from CARTSIM_PYTHON) is not a Python 3 interpreter "
                          "(`/bin/false -c 'import sys'` failed)",
            # exit 0 whatever it is asked: it passed the probe, and the demo did nothing, exit 0
            "/bin/true": "/bin/true (from CARTSIM_PYTHON) is not a Python 3 interpreter "
                         "(`/bin/true -c 'import sys'` failed)"}
        for cmd in ("demo", "explore"):
            for py, says in unusable.items():
                p = subprocess.run([BIN, cmd, "-o", out], capture_output=True, text=True, timeout=60,
                                   env=dict(ENV, CARTSIM_PYTHON=py))
                self.assertEqual(p.returncode, 4, p.stderr)
                self.assertEqual(p.stderr, f"cartsim: error: {says}; set CARTSIM_PYTHON to one with h5py, numpy, "
                                 "matplotlib and yaml (Debian's /usr/bin/python3)\n")
            # a bare name is looked up on PATH, as the shell does (it said "cannot be run: No such file"),
            # passing over a directory of that name
            shadow = os.path.join(self.dir, "shadow", os.path.basename(sys.executable))
            os.makedirs(shadow, exist_ok=True)
            p = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True, timeout=60,
                               env=dict(ENV, CARTSIM_PYTHON=os.path.basename(sys.executable),
                                        PATH=os.pathsep.join([os.path.dirname(shadow), os.path.dirname(sys.executable),
                                                              ENV.get("PATH", "")])))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"usage: cartsim {cmd}", p.stdout)
            p = subprocess.run([BIN, cmd, "-o", out], capture_output=True, text=True, timeout=60,
                               env=dict(ENV, PYTHONPATH=os.path.join(self.dir, "fake")))
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertRegex(p.stderr, r"^postprocess: error: the Python interpreter \S+ \(Python [\d.]+\) cannot "
                             r"import h5py \(h5py hidden by the test\); use Debian's /usr/bin/python3 \(for cartsim "
                             r"demo/explore: CARTSIM_PYTHON=/usr/bin/python3\) after: apt-get install python3-h5py")
        self.assertFalse(os.path.exists(out), "nothing written")

    def test_options_of_another_command_are_refused(self):
        """An option that belongs to another command is an error, not ignored:
        `sweep --set` used to run the whole sweep with the file's values."""
        sweep = os.path.join(self.dir, "s.yaml")
        with open(sweep, "w") as f:
            f.write(f"base: {os.path.abspath(REF)}\ndesign:\n  type: list\n  rows: [{{model.k_c: 0.014}}]\n")
        out = os.path.join(self.dir, "out")
        cases = [(["sweep", sweep, "-o", out, "--set", "run.t_end=10"], "--set is an option of cartsim run, not of sweep"),
                 (["sweep", sweep, "-o", out, "--set=run.t_end=10"], "--set is an option of cartsim run, not of sweep"),
                 (["sweep", sweep, "-o", out, "--baseline", "b.h5"], "--baseline is an option of cartsim run"),
                 (["sweep", sweep, "-o", out, "--save-state", "10:s.h5"], "--save-state is an option of cartsim run"),
                 (["sweep", sweep, "-o", out, "--from-state", "s.h5"], "--from-state is an option of cartsim run"),
                 (["sweep", sweep, "-o", out, "--restart"], "--restart is an option of cartsim run"),
                 (["sweep", sweep, "-o", out, "--task", "1"], "--task ID and --tasks N go together"),
                 (["sweep", sweep, "-o", out, "--tasks", "4"], "--task ID and --tasks N go together"),
                 (["run", REF, "-o", os.path.join(self.dir, "r.h5"), "--tasks", "2"], "--tasks is an option of cartsim sweep"),
                 (["run", REF, "-o", os.path.join(self.dir, "r.h5"), "--retry-failed"], "an option of cartsim sweep"),
                 (["check", REF, "-o", os.path.join(self.dir, "r.h5")], "cartsim check writes nothing"),
                 (["check", REF, "--restart"], "--restart is an option of cartsim run, not of check")]
        for args, text in cases:
            code, _, err = cartsim(*args)
            self.assertEqual(code, 2, args)
            self.assertTrue(err.startswith("cartsim: error: "), err)
            self.assertIn(text, err, args)
        self.assertEqual(os.listdir(self.dir), ["s.yaml"], "nothing is written")

    def test_state_files_must_not_clash(self):
        """A state save over the output or over another save: exit 2 before anything is written."""
        out = os.path.join(self.dir, "o.h5")
        for args, text in ((["--save-state", f"100:{self.dir}/./o.h5"], "is the output file"),
                           (["--save-state", "100:s.h5", "--save-state", f"200:{self.dir}/s.h5"], "name the same file")):
            code, _, err = cartsim("run", os.path.abspath(REF), "-o", out, "--quiet", *args, cwd=self.dir)
            self.assertEqual(code, 2, err)
            self.assertIn(text, err)
            self.assertEqual(os.listdir(self.dir), [], "nothing is written")

    def test_inputs_are_not_the_output(self):
        """--from-state or --baseline naming the output (with --force): exit 2, the file kept."""
        state = os.path.join(self.dir, "s.h5")
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "h.h5"), "--quiet", "--set", "run.t_end=60",
                               "--save-state", f"30:{state}")
        self.assertEqual(code, 0, err)
        with open(state, "rb") as f:
            before = f.read()
        for opt in ("--from-state", "--baseline"):
            code, _, err = cartsim("run", os.path.abspath(REF), "-o", "s.h5", "--force", "--quiet",
                                   "--set", "run.t_end=60", opt, state, cwd=self.dir)
            self.assertEqual(code, 2, err)
            self.assertIn(f"{opt} {state} is the output file (-o s.h5)", err)
            with open(state, "rb") as f:
                self.assertEqual(f.read(), before, "the state file is untouched")

    def test_inputs_reached_through_a_link_are_not_the_output(self):
        """-o naming a symbolic or a hard link to the --baseline or --from-state file, or a --save-state
        file that is one: exit 2, the input untouched (the check compared names, with only the
        directory resolved, and --force overwrote the baseline)."""
        state = os.path.join(self.dir, "s.h5")
        hist = os.path.join(self.dir, "h.h5")
        code, _, err = cartsim("run", REF, "-o", hist, "--quiet", "--set", "run.t_end=60", "--save-state", f"30:{state}")
        self.assertEqual(code, 0, err)
        os.symlink("h.h5", os.path.join(self.dir, "h_sym.h5"))
        os.link(hist, os.path.join(self.dir, "h_hard.h5"))
        os.symlink("s.h5", os.path.join(self.dir, "s_sym.h5"))
        files = {n: open(os.path.join(self.dir, n), "rb").read() for n in ("h.h5", "s.h5")}
        ref = os.path.abspath(REF)
        for args, text in (
                (["-o", "h_sym.h5", "--baseline", "h.h5"], "--baseline h.h5 is the output file (-o h_sym.h5)"),
                (["-o", "h_hard.h5", "--baseline", "h.h5"], "--baseline h.h5 is the output file (-o h_hard.h5)"),
                (["-o", "s_sym.h5", "--from-state", "s.h5"], "--from-state s.h5 is the output file (-o s_sym.h5)"),
                (["-o", "o.h5", "--baseline", "h.h5", "--save-state", "40:h_hard.h5"],
                 "--save-state 40:h_hard.h5 is the run's --baseline file"),
                (["-o", "o.h5", "--from-state", "s_sym.h5", "--save-state", "40:s.h5"],
                 "--save-state 40:s.h5 is the run's --from-state file")):
            code, _, err = cartsim("run", ref, "--force", "--quiet", "--set", "run.t_end=60", *args, cwd=self.dir)
            self.assert_refused_keeping(code, err, text, files, args)

    def test_the_config_and_its_base_files_are_never_written(self):
        """-o lesion.yaml (meant: lesion.h5) with --force replaced the config by an HDF5 file; so did
        -o naming a base: file of the config, or a --save-state file that is the config. Exit 2 before
        anything is written, also with --force and through a link."""
        with open(REF) as f:
            self.write("base.yaml", f.read())
        self.write("top.yaml", "base: base.yaml\nrun: {t_end: 10}\n")
        os.symlink("top.yaml", os.path.join(self.dir, "top_link.yaml"))
        before = {n: open(os.path.join(self.dir, n), "rb").read() for n in ("base.yaml", "top.yaml")}
        for args, text in (
                (["-o", "top.yaml"], "-o top.yaml is the config file top.yaml: write the run to another file"),
                (["-o", "./base.yaml"], "-o ./base.yaml is base.yaml, a base: file of the config top.yaml"),
                (["-o", "top_link.yaml"], "-o top_link.yaml is the config file top.yaml"),
                (["-o", "o.h5", "--save-state", "5:top.yaml"], "--save-state 5:top.yaml is the config file top.yaml"),
                (["-o", "o.h5", "--save-state", "5:base.yaml"], "--save-state 5:base.yaml is base.yaml, a base: file")):
            code, _, err = cartsim("run", "top.yaml", "--quiet", "--force", *args, cwd=self.dir)
            self.assert_refused_keeping(code, err, text, before, args)
        code, _, err = cartsim("run", "top.yaml", "--quiet", "-o", "o.h5", cwd=self.dir)
        self.assertEqual(code, 0, err)

    def test_a_damaged_state_file_is_refused_before_the_run(self):
        """The state reader trusted the datasets' shapes: an oversized /synovial overflowed the stack
        (exit 139), a short /cartilage ran to 'complete' with most cells never read. Every dataset and
        attribute is checked first: one line naming the file and the item, exit 4, no output."""
        import numpy as np
        state = os.path.join(self.dir, "s.h5")
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "h.h5"), "--quiet", "--set", "run.t_end=20",
                               "--save-state", f"10:{state}")
        self.assertEqual(code, 0, err)

        cases = {"synovial_long": (replaced("synovial", np.ones(200000)), "/synovial is [200000], this run needs [10]"),
                 "synovial_2d": (replaced("synovial", np.ones((10, 10))), "/synovial is [10, 10]"),
                 "cartilage_short": (lambda f: replaced("cartilage", f["cartilage"][:, :, :10, :])(f),
                                     "/cartilage is [1, 1, 10, 9], this run needs [1, 1, 48, 9]"),
                 "cartilage_text": (replaced("cartilage", np.array([b"x"] * 432)), "/cartilage is text"),
                 "check_2d": (replaced("check/grid", np.ones((3, 100))), "/check/grid is [3, 100], this cartsim has 7"),
                 "time_array": (lambda f: f.attrs.__setitem__("time", np.ones(1000)),
                                "attribute time is [1000], not one number"),
                 "no_synovial": (lambda f: f.__delitem__("synovial"), "no /synovial")}
        for name, (edit, text) in cases.items():
            bad = self.edited_copy(state, name + ".h5", edit)
            out = os.path.join(self.dir, "b.h5")
            code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=30", "--from-state", bad)
            with self.subTest(case=name):
                self.assertEqual(code, 4, err)
                self.assertEqual(err, f"cartsim: error: {bad}: {text}{err.split(text, 1)[-1]}", "one line")
                self.assertTrue(err.endswith(": the file is damaged, or not a state file of this cartsim version\n"),
                                err)
                self.assertFalse(os.path.exists(out), "nothing written")

    def test_a_damaged_baseline_is_refused_before_the_run(self):
        """baseline.c read each /parameters value with H5S_ALL into one double, and the last-value and
        /meta readers assumed a 1-D dataset and one string: a longer dataset or attribute overflowed."""
        import numpy as np
        base = os.path.join(self.dir, "base.h5")
        code, _, err = cartsim("run", REF, "-o", base, "--quiet", "--set", "run.t_end=30")
        self.assertEqual(code, 0, err)

        cases = {"k_a_long": (replaced("parameters/k_a", np.ones(100000)), 4,
                              "/parameters/k_a is [100000], not one number"),
                 "k_a_text": (replaced("parameters/k_a", np.bytes_(b"abc")), 4, "/parameters/k_a is text, not one number"),
                 "time_2d": (replaced("timeseries/time", np.ones((7, 30))), 4, "no readable /timeseries/time"),
                 "count_long": (lambda f: f["treatments"].attrs.__setitem__("count", np.zeros(1000)), 4,
                                "no /treatments count"),
                 "status_list": (lambda f: f["meta"].attrs.__setitem__("status", ["complete"] * 50), 3,
                                 "its status is '', not 'complete'")}
        for name, (edit, want, text) in cases.items():
            bad = self.edited_copy(base, name + ".h5", edit)
            out = os.path.join(self.dir, "b.h5")
            code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=30", "--baseline", bad)
            with self.subTest(case=name):
                self.assertEqual(code, want, err)
                self.assertIn(f"--baseline {bad}", err)
                self.assertIn(text, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertFalse(os.path.exists(out), "nothing written")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run cartsim as another user")
    def test_an_unreadable_baseline_says_why(self):
        """--baseline without read permission said only 'cannot open it as an HDF5 file' (--from-state
        said 'Permission denied')."""
        base = os.path.join(self.dir, "base.h5")
        code, _, err = cartsim("run", REF, "-o", base, "--quiet", "--set", "run.t_end=30")
        self.assertEqual(code, 0, err)
        os.chmod(base, 0o600)
        os.chmod(self.dir, 0o777)
        out = os.path.join(self.dir, "b.h5")
        p = subprocess.run([BIN, "run", os.path.abspath(REF), "-o", out, "--quiet", "--set", "run.t_end=30",
                            "--baseline", base], capture_output=True, text=True, timeout=120,
                           env=dict(ENV, TMPDIR="/tmp", HOME="/tmp"), preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
        if "Permission denied" in p.stderr and "config" in p.stderr:
            self.skipTest(f"the config is not readable as nobody: {p.stderr}")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertEqual(p.stderr, f"cartsim: error: --baseline {base}: cannot read it: Permission denied\n")
        self.assertFalse(os.path.exists(out))

    def test_a_directory_given_as_an_input_file_is_said_to_be_one(self):
        """--from-state DIR/ said "DIR/ is not an HDF5 file", --baseline DIR/ "cannot open it as an HDF5 file"."""
        sub = os.path.join(self.dir, "sd") + "/"
        os.mkdir(sub)
        out = os.path.join(self.dir, "x.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--from-state", sub)
        self.assertEqual((code, err), (4, f"cartsim: error: cannot read the state file {sub}: Is a directory\n"))
        code, _, err = cartsim("run", REF, "-o", out, "--baseline", sub)
        self.assertEqual((code, err), (4, f"cartsim: error: --baseline {sub}: cannot read it: Is a directory\n"))
        self.assertFalse(os.path.exists(out))

    def test_baseline_must_be_the_untreated_run_of_the_same_knee(self):
        """--baseline is checked before the run: complete, same horizon, no
        treatment, same model/grid/initial values; else exit 3 naming why."""
        ref = os.path.abspath(REF)
        base = os.path.join(self.dir, "untreated.h5")
        code, _, err = cartsim("run", ref, "-o", base, "--quiet", "--set", "run.t_end=60")
        self.assertEqual(code, 0, err)
        msc = ["--set", "treatments[0].type=msc", "--set", "treatments[0].day=20", "--set", "treatments[0].dose=5e7"]
        treated = os.path.join(self.dir, "treated.h5")
        code, _, err = cartsim("run", ref, "-o", treated, "--quiet", "--set", "run.t_end=60", *msc)
        self.assertEqual(code, 0, err)
        running = os.path.join(self.dir, "running.h5")
        with open(base, "rb") as f, open(running, "wb") as g:
            g.write(f.read())
        with h5py.File(running, "r+") as f:
            f["meta"].attrs["status"] = "running"
        out = os.path.join(self.dir, "o.h5")
        for extra, baseline, text in [
                (["--set", "model.k_c=0.02"], base,
                 f"--baseline {base}: model.k_c = 0.02 in this config but 0.016 in the baseline"),
                (["--set", "grid.nz=24"], base, f"--baseline {base}: grid.nz = 24 in this config but 48"),
                ([], treated, f"--baseline {treated} has 1 treatment: the baseline is the untreated run"),
                ([], running, f"--baseline {running}: its status is 'running', not 'complete'"),
                (["--set", "run.t_end=50"], base, f"--baseline {base} ends at day 60, this run at day 50")]:
            code, _, err = cartsim("run", ref, "-o", out, "--quiet", "--set", "run.t_end=60", *msc, *extra,
                                   "--baseline", baseline)
            self.assertEqual(code, 3, err)
            self.assertIn(text, err)
            self.assertFalse(os.path.exists(out), "checked before the run: nothing written")
        code, _, err = cartsim("run", ref, "-o", out, "--quiet", "--set", "run.t_end=60", *msc, "--baseline", base)
        self.assertEqual(code, 0, err)
        with h5py.File(out, "r") as f:
            self.assertGreater(float(f["outcomes/benefit_thickness_points"][()]), 0.0)

    def test_config_error_summaries(self):
        """An unreadable config is one line (exit 4); the closing count is the
        total, those not shown included, and says where the errors are."""
        for path, why in [(self.dir, "Is a directory"), (os.path.join(self.dir, "none.yaml"), "No such file")]:
            code, _, err = cartsim("check", path)
            self.assertEqual(code, 4, err)
            self.assertEqual(err.splitlines(), [f"cartsim: error: cannot read config file '{path}': {why}"
                                                + ("" if why == "Is a directory" else " or directory")])
        code, _, err = cartsim("check", REF, "--set", "model.k_a=-1")
        self.assertEqual(code, 3)
        self.assertEqual(err.splitlines()[-1], "cartsim: error: 1 error in the --set options")
        many = self.write("many.yaml", "model:\n" + "".join(f"  bogus{i}: 1\n" for i in range(130)))
        code, _, err = cartsim("check", many, "--set", "model.k_a=-1")
        self.assertEqual(code, 3)
        lines = err.splitlines()
        self.assertEqual(lines[-2:], ["(31 more errors not shown)",
                                      f"cartsim: error: 131 errors in {many} and the --set options"])

    def test_version_names_libraries(self):
        code, out, _ = cartsim("--version")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"cartsim \d+\.\d+\.\d+ \(git [0-9a-f]+(-dirty)?\)")
        self.assertIn("SUNDIALS 6.4", out)
        self.assertIn("HDF5 1.10", out)
        self.assertIn("Open MPI", out)
        self.assertRegex(out, r"CPU clones: (x86-64-v4|x86-64-v3|baseline|off)\n")

    def test_check_prints_resolved_config_with_units(self):
        code, out, _ = cartsim("check", REF, "--set", "model.k_a=0.2")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"\bk_a: 0\.2\b")
        self.assertIn("1/(nM day)", out)
        self.assertRegex(out, r"\bnz: 48\b")

    def test_config_errors_exit_3_with_file_line_key(self):
        bad = self.write("bad.yaml", "base: %s\nmodel:\n  k_aa: 0.1\n  K_P: -1\ngrid:\n  nz: many\n" %
                         os.path.abspath(REF))
        out_h5 = os.path.join(self.dir, "out.h5")
        code, _, err = cartsim("run", bad, "-o", out_h5)
        self.assertEqual(code, 3)
        self.assertIn(f"{bad}:3:", err)
        self.assertIn("k_aa", err)
        self.assertIn("did you mean", err)
        self.assertIn(f"{bad}:4:", err)
        self.assertIn("K_P", err)
        self.assertIn(f"{bad}:6:", err)
        self.assertIn("nz", err)
        self.assertFalse(os.path.exists(out_h5), "no output for a bad config")

    def test_every_malformed_config_is_rejected_by_the_executable(self):
        bad_dir = "tests/config/bad"
        names = sorted(n for n in os.listdir(bad_dir) if n.endswith(".yaml"))
        self.assertGreaterEqual(len(names), 40)
        for name in names:
            path = os.path.join(bad_dir, name)
            with open(path, "rb") as f:
                first = f.readline().decode("utf-8", "replace")
            out_h5 = os.path.join(self.dir, name + ".h5")
            code, _, err = cartsim("run", path, "-o", out_h5, "--quiet")
            with self.subTest(config=name):
                self.assertEqual(code, 3, err)
                self.assertRegex(err, re.escape(path) + r":\d+:", "the message names FILE:LINE")
                self.assertFalse(os.path.exists(out_h5), "no output for a rejected config")
                if first.startswith("# expect:"):
                    self.assertIn(first.split("# expect:", 1)[1].strip(), err)

    def test_every_config_key_is_documented(self):
        code, out, _ = cartsim("check", REF)
        self.assertEqual(code, 0)
        keys = re.findall(r"^\s+(\w+):", out, re.M)
        self.assertGreater(len(keys), 80)
        with open("docs/config.md") as f:
            doc = f.read()
        missing = [k for k in set(keys) if f"`{k}`" not in doc]
        self.assertEqual(missing, [], "keys missing from docs/config.md")

    def test_config_md_help_is_the_programs(self):
        """Each key's help text in docs/config.md's tables is the one `cartsim check` prints
        (K_syn's said 'matrix synthesis' in both while it slows aggrecan synthesis only)."""
        code, out, _ = cartsim("check", REF)
        self.assertEqual(code, 0)
        helps = {}
        for m in re.finditer(r"^\s+(\w+):.*?# .*? — (.*)$", out, re.M):
            helps.setdefault(m.group(1), set()).add(m.group(2).strip())
        with open("docs/config.md") as f:
            rows = {}
            for m in re.finditer(r"^\| `(\w+)` \|(.*)\|\s*$", f.read(), re.M):
                rows.setdefault(m.group(1), []).append(m.group(2).split("|")[-1].strip())
        compared = [(k, h) for k, hs in helps.items() for h in hs if k in rows]
        self.assertGreater(len(compared), 80)
        differ = [(k, h, rows[k]) for k, h in compared if h not in rows[k]]
        self.assertEqual(differ, [], "help text in docs/config.md differs from cartsim check")

    def test_config_md_tables_are_the_programs(self):
        """Every row of docs/config.md's "All keys" tables (type, unit, default, range, help),
        section by section and in order, is the one `cartsim check --keys` prints from the
        tables (the treatments[] rows and every unit, default and range were kept by hand)."""
        def tables(text):
            out, sec = {}, None
            for line in text.splitlines():
                m = re.match(r"^### `([^`]+)`", line)
                if m:
                    sec = out.setdefault(m.group(1), [])
                elif sec is not None and line.startswith("| `"):
                    sec.append(line.rstrip())
            return out
        code, out, err = cartsim("check", "--keys")
        self.assertEqual(code, 0, err)
        prog = tables(out)
        self.assertEqual(list(prog), ["model", "grid", "initial", "treatments[]", "solver", "output", "run"])
        self.assertGreater(sum(map(len, prog.values())), 100)
        with open("docs/config.md") as f:
            text = f.read()
        doc = tables(text[text.index("## All keys"):])
        self.assertEqual(doc, prog, "docs/config.md 'All keys' differs from cartsim check --keys")
        code, _, err = cartsim("check", "--keys", REF)
        self.assertEqual(code, 2, "--keys lists the tables; a config with it is a usage error")
        code, _, err = cartsim("run", REF, "--keys")
        self.assertEqual(code, 2)
        self.assertIn("--keys is an option of cartsim check", err)

    def test_set_value_checked_like_the_file(self):
        code, _, err = cartsim("check", REF, "--set", "model.k_a=abc")
        self.assertEqual(code, 3)
        self.assertIn("model.k_a=abc", err)
        code, _, err = cartsim("check", REF, "--set", "model.k_a=-5")
        self.assertEqual(code, 3)

    def test_tmpdir_that_cannot_take_a_directory_falls_back_to_tmp(self):
        """A TMPDIR that is a file (or read-only, or full): a singleton's Open MPI session
        directory goes to /tmp instead; it failed in MPI_Init with ~60 lines and exit 1."""
        not_a_dir = self.write("tmpdir-file", "x")
        env = dict(ENV, TMPDIR=not_a_dir)
        env.pop("OMPI_MCA_orte_tmpdir_base", None)
        p = subprocess.run([BIN, "check", REF], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("orte", p.stderr)

    def test_missing_config_exit_4(self):
        code, _, err = cartsim("check", os.path.join(self.dir, "nope.yaml"))
        self.assertEqual(code, 4)
        self.assertIn("nope.yaml", err)

    def test_existing_output_kept_without_force(self):
        out_h5 = self.write("keep.h5", "precious")
        code, _, err = cartsim("run", REF, "-o", out_h5, "--quiet", "--set", "run.t_end=10")
        self.assertEqual(code, 4)
        self.assertIn("--force", err)
        with open(out_h5) as f:
            self.assertEqual(f.read(), "precious")
        code, _, _ = cartsim("run", REF, "-o", out_h5, "--quiet", "--force", "--set", "run.t_end=10")
        self.assertEqual(code, 0)
        with h5py.File(out_h5, "r") as f:
            self.assertEqual(f["meta"].attrs["status"], "complete")

    def test_default_output_keeps_every_dot_of_the_config_name(self):
        """Without -o the output is results/NAME.h5, NAME the config's file name without a final
        .yaml/.yml: knee.v1.yaml and knee.v2.yaml both wrote results/knee.h5 (the second was refused,
        or with --force overwrote the first's result)."""
        for name in ("knee.v1.yaml", "knee.v2.yaml", "plain.yml", "noext"):
            self.write(name, f"base: {os.path.abspath(REF)}\n")
            code, _, err = cartsim("run", name, "--quiet", "--set", "run.t_end=2", "--set", "output.dt=1",
                                   "--set", "output.fields_every=0", cwd=self.dir)
            self.assertEqual(code, 0, err)
        self.assertEqual(sorted(os.listdir(os.path.join(self.dir, "results"))),
                         ["knee.v1.h5", "knee.v2.h5", "noext.h5", "plain.h5"])

    def test_a_failed_start_without_o_leaves_no_results_directory(self):
        """results/ is made for a run without -o; a run that failed to start left it behind, empty.
        One that already existed stays, with what it holds."""
        self.write("knee.yaml", f"base: {os.path.abspath(REF)}\n")
        code, _, err = cartsim("run", "knee.yaml", "--from-state", "missing.h5", cwd=self.dir)
        self.assertEqual(code, 4, err)
        self.assertEqual(sorted(os.listdir(self.dir)), ["knee.yaml"])
        os.mkdir(os.path.join(self.dir, "results"))
        code, _, err = cartsim("run", "knee.yaml", "--from-state", "missing.h5", cwd=self.dir)
        self.assertEqual(code, 4, err)
        self.assertEqual(sorted(os.listdir(self.dir)), ["knee.yaml", "results"])

    def test_force_over_a_result_another_program_has_open(self):
        """--force on a result an h5py reader holds, with HDF5's default file locking: the run truncated
        the file to 0 bytes, then failed (exit 4) with a hint about network file systems. The new file
        is now written under another name and renamed over the old one: the run completes, the reader
        keeps reading its copy, and nothing else is left in the directory."""
        import sys
        env = {k: v for k, v in ENV.items() if k != "HDF5_USE_FILE_LOCKING"}
        out = os.path.join(self.dir, "held.h5")
        args = [BIN, "run", REF, "-o", out, "--quiet", "--set", "output.fields_every=0"]
        p = subprocess.run(args + ["--set", "run.t_end=60"], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        reader = subprocess.Popen(
            [sys.executable, "-c", "import h5py, sys\nf = h5py.File(sys.argv[1], 'r')\nprint('open', flush=True)\n"
             "sys.stdin.read()\nprint(f['timeseries/time'].shape[0], f['meta'].attrs['status'])", out],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            self.assertEqual(reader.stdout.readline().strip(), "open")
            p = subprocess.run(args + ["--set", "run.t_end=10", "--force"], capture_output=True, text=True, env=env,
                               timeout=120)
            self.assertEqual((p.returncode, p.stderr), (0, ""))
        finally:
            seen, _ = reader.communicate("", timeout=60)
        self.assertEqual(seen.split(), ["13", "complete"], "the reader's copy changed under it")
        with h5py.File(out, "r") as f:
            self.assertEqual((f["meta"].attrs["status"], f["timeseries/time"].shape[0]), ("complete", 3))
        self.assertEqual(os.listdir(self.dir), ["held.h5"])

    def test_a_failed_start_leaves_an_old_result_as_it_was(self):
        """--force replaces an old result only once the new file is made: a run that cannot start (here:
        the new file's name is taken by a directory) leaves the old file byte for byte, and no stub."""
        out = os.path.join(self.dir, "r.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=10")
        self.assertEqual(code, 0, err)
        with open(out, "rb") as f:
            before = f.read()
        p = subprocess.run(["/bin/sh", "-c", f'mkdir "{out}.tmp.$$" && exec "{BIN}" run {REF} -o "{out}" --quiet '
                            '--force --set run.t_end=20'], capture_output=True, text=True, env=ENV, timeout=120)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(f"cannot create {out}", p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before, "the old result changed")
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if not n.startswith("r.h5.tmp.")), ["r.h5"])

    def test_force_replaces_a_link_not_its_target_and_only_a_regular_file(self):
        """-o naming a symbolic link with --force replaces the link (the file it pointed to is kept);
        --force replaces a regular file only (as root, -o /dev/null --force would have replaced the
        device)."""
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "a.h5"), "--quiet", "--set", "run.t_end=10")
        self.assertEqual(code, 0, err)
        os.symlink("a.h5", os.path.join(self.dir, "link.h5"))
        with open(os.path.join(self.dir, "a.h5"), "rb") as f:
            before = f.read()
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "link.h5"), "--quiet", "--force",
                               "--set", "run.t_end=20")
        self.assertEqual(code, 0, err)
        self.assertFalse(os.path.islink(os.path.join(self.dir, "link.h5")))
        with open(os.path.join(self.dir, "a.h5"), "rb") as f:
            self.assertEqual(f.read(), before)
        os.mkfifo(os.path.join(self.dir, "fifo.h5"))
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "fifo.h5"), "--quiet", "--force",
                               "--set", "run.t_end=10")
        self.assertEqual(code, 4, err)
        self.assertIn("fifo.h5 is not a regular file: --force replaces only an earlier result", err)

    def test_restart_of_an_output_another_program_holds(self):
        """--restart of an interrupted output that h5py holds open (default locking) said 'not a readable
        HDF5 file' and suggested h5clear; it says the file is open in another program."""
        import sys
        env = {k: v for k, v in ENV.items() if k != "HDF5_USE_FILE_LOCKING"}
        out = os.path.join(self.dir, "r.h5")
        args = [BIN, "run", REF, "-o", out, "--quiet", "--set", "run.t_end=60", "--set", "output.checkpoint_every=20"]
        p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out, "r+") as f:
            f["meta"].attrs["status"] = "interrupted"
        reader = subprocess.Popen([sys.executable, "-c", "import h5py, sys\nf = h5py.File(sys.argv[1], 'r')\n"
                                   "print('open', flush=True)\nsys.stdin.read()", out], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)
        try:
            self.assertEqual(reader.stdout.readline().strip(), "open")
            p = subprocess.run(args + ["--restart"], capture_output=True, text=True, env=env, timeout=120)
        finally:
            reader.communicate("", timeout=60)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertEqual(p.stderr, f"cartsim: error: --restart: cannot lock {out}: it is open in another program "
                         "(h5py, HDFView, ParaView?), or the file system refuses HDF5's file locks: close it, or set "
                         "HDF5_USE_FILE_LOCKING=FALSE, and rerun\n")

    @unittest.skipIf(built_with_asan(), "AddressSanitizer reserves terabytes of address space: no RLIMIT_AS")
    def test_hypre_out_of_memory_is_one_line_and_exit_7(self):
        """hypre ends the process with MPI_Abort when an allocation fails: a PFMG run within the grid
        limit under a memory limit exited 255 with Open MPI's banner and no cartsim line, and the
        documented code for running out of memory is 7 (mpi_abort.c)."""
        import resource
        out = os.path.join(self.dir, "big.h5")
        p = subprocess.run([BIN, "run", REF, "-o", out, "--quiet", "--set", "grid.dim=3", "--set", "grid.nz=100",
                            "--set", "grid.nx=200", "--set", "grid.ny=100", "--set", "solver.precond=pfmg",
                            "--set", "run.t_end=1", "--set", "output.dt=1"], capture_output=True, text=True,
                           env=ENV, timeout=120,
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (3 * 10**9, 3 * 10**9)))
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertRegex(p.stderr, r"^cartsim: error: a library stopped the run with MPI_Abort \(code -1\), as "
                                   r"hypre does when an allocation fails[^\n]*\n$")
        self.assertFalse(os.path.exists(out))

    def test_unwritable_output_exit_4(self):
        code, _, err = cartsim("run", REF, "-o", "/nonexistent-dir/x.h5", "--quiet")
        self.assertEqual(code, 4)
        self.assertIn("/nonexistent-dir", err)

    def test_solver_failure_exit_5_file_marked_failed(self):
        # solver.max_steps is counted by cartsim (the integrators run one step per call), for both
        for integrator, name in (("cvode", "CVODE"), ("arkode", "ARKODE")):
            out_h5 = os.path.join(self.dir, f"fail_{integrator}.h5")
            code, _, err = cartsim("run", REF, "-o", out_h5, "--quiet", "--set", "solver.max_steps=10",
                                   "--set", f"solver.integrator={integrator}")
            self.assertEqual(code, 5, err)
            self.assertIn(f"{name} failed at t =", err)
            self.assertIn("max_steps", err)
            self.assertIn("; 10 steps,", err, "stopped after exactly max_steps steps")
            with h5py.File(out_h5, "r") as f:
                self.assertEqual(f["meta"].attrs["status"], "failed")
                self.assertIn(name, f["meta"].attrs["status_reason"])
                self.assertGreaterEqual(f["timeseries/time"].shape[0], 1, "steps before the failure are kept")
                for k in ("wall_seconds", "solve_seconds", "negative_values", "end_time"):  # were missing
                    self.assertIn(k, f["meta"].attrs, f"{integrator}: /meta {k} of a failed run")

    def test_unconverged_linear_solves_are_reported(self):
        """precond none: GMRES stopped short in 3,000 of 3,900 Newton iterations and the answer
        was 1e-4 off at rtol 1e-6, in a file marked complete without a word."""
        weak = os.path.join(self.dir, "weak.h5")
        code, _, err = cartsim("run", REF, "-o", weak, "--quiet", "--set", "solver.precond=none",
                               "--set", "run.t_end=730")
        self.assertEqual(code, 0, err)
        self.assertRegex(err, r"^cartsim: warning: GMRES did not converge in \d+ of \d+ Newton iterations")
        good = os.path.join(self.dir, "good.h5")
        code, _, err = cartsim("run", REF, "-o", good, "--quiet", "--set", "run.t_end=730")
        self.assertEqual((code, err), (0, ""))
        with h5py.File(weak, "r") as w, h5py.File(good, "r") as g:
            self.assertIn("use solver.precond line or pfmg", w["meta"].attrs["solver_warning"])
            self.assertEqual(g["meta"].attrs["solver_warning"], "")

    def test_the_imex_split_without_arkode_is_not_silent(self):
        """solver.arkode_split imex with integrator cvode ran BDF without a word while /parameters said
        imex. A warning, not an error: a grid sweep over the integrator means the split for its
        arkode rows only."""
        short = ["--set", "run.t_end=20", "--set", "output.dt=10", "--set", "output.fields_every=0"]
        out = os.path.join(self.dir, "o.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", *short, "--set", "solver.arkode_split=imex")
        self.assertEqual((code, err), (0, "cartsim: warning: solver.arkode_split imex has no effect: solver.integrator "
                                          "is cvode (BDF, no split; solver.integrator arkode for the IMEX split)\n"))
        code, _, err = cartsim("run", REF, "-o", out, "--force", "--quiet", *short, "--set", "solver.arkode_split=imex",
                               "--set", "solver.integrator=arkode")
        self.assertEqual((code, err), (0, ""))

    def test_negative_values_are_reported_not_silent(self):
        # loose tolerances: whatever goes below -10 atol x scale must be in /meta and on stderr
        # (the detection itself is unit-tested in tests/unit/test_observables.c)
        scales = {"P": 0.01, "R": 1, "Z": 0.01, "M": 0.01, "F": 1e-3, "a": 1, "c": 1, "Ch": 1, "E": 1}
        for atol, dose in (("1e-11", "1e10"), ("1e-8", "5e7")):
            out_h5 = os.path.join(self.dir, f"neg{atol}.h5")
            code, _, err = cartsim("run", REF, "-o", out_h5, "--quiet", "--set", "solver.rtol=1e-2", "--set",
                                   f"solver.atol={atol}", "--set", "treatments[0].type=msc", "--set",
                                   "treatments[0].day=100", "--set", f"treatments[0].dose={dose}")
            self.assertEqual(code, 0, err)
            with h5py.File(out_h5, "r") as f:
                neg = f["meta"].attrs["negative_values"]
                below = [s for s, sc in scales.items()
                         if f[f"timeseries/min_{s}"][:].min() < -10 * float(atol) * sc]
            for s in below:
                self.assertIn(f"{s} = ", neg)
                self.assertIn("negative values beyond the tolerance", err)
            if not below:
                self.assertEqual(neg, "")

    def test_solver_failure_names_the_worst_component(self):
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "w.h5"), "--quiet", "--set",
                               "solver.max_steps=10")
        self.assertEqual(code, 5)
        self.assertRegex(err, r"largest local error: \w+ in cell \(z \d+, x \d+, y \d+\)|largest local error: "
                              r"synovial value")
        self.assertIn("last step", err)

    def test_branch_refuses_a_different_history(self):
        state = os.path.join(self.dir, "s.h5")
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "h.h5"), "--quiet",
                               "--set", "run.t_end=60", "--save-state", f"30:{state}")
        self.assertEqual(code, 0, err)
        with h5py.File(state, "r") as f:
            self.assertEqual(float(f.attrs["time"]), 30.0)
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "b.h5"), "--quiet", "--set", "run.t_end=60",
                               "--from-state", state, "--set", "model.k_a=0.2")
        self.assertEqual(code, 3)
        self.assertIn("model.k_a", err)
        # a flag or a choice as the config writes it: it said "grid.periodic = 1 ... but 0"
        small2d = ["--quiet", "--set", "grid.nz=8", "--set", "grid.nx=8", "--set", "run.t_end=60",
                   "--set", "initial.lesion_radius=0", "--set", "treatments=[]"]
        state2d = os.path.join(self.dir, "s2d.h5")
        code, _, err = cartsim("run", "configs/lesion2d.yaml", "-o", os.path.join(self.dir, "h2d.h5"), *small2d,
                               "--save-state", f"30:{state2d}")
        self.assertEqual(code, 0, err)
        code, _, err = cartsim("run", "configs/lesion2d.yaml", "-o", os.path.join(self.dir, "b2d.h5"), *small2d,
                               "--from-state", state2d, "--set", "grid.periodic=true")
        self.assertEqual(code, 3, err)
        self.assertIn("grid.periodic = true in this config but false in the saved history", err)
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "c.h5"), "--quiet", "--set", "run.t_end=60",
                               "--from-state", state, "--set", "treatments[0].type=msc",
                               "--set", "treatments[0].day=10", "--set", "treatments[0].dose=1e7")
        self.assertEqual(code, 3)
        self.assertIn("before day 30", err)
        # a branch that ends at or before its state's day: nothing to simulate, said so (CVODE used to
        # fail with CV_ILL_INPUT at t_end = the day, or integrate backwards before it)
        for t_end in ("30", "20"):
            out = os.path.join(self.dir, f"end{t_end}.h5")
            code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", f"run.t_end={t_end}",
                                   "--from-state", state)
            self.assertEqual(code, 3, err)
            self.assertIn(f"run.t_end = {t_end} is not after day 30, where the run starts from {state}", err)
            self.assertFalse(os.path.exists(out))
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "longer.h5"), "--quiet",
                               "--set", "run.t_end=90", "--from-state", state)
        self.assertEqual(code, 0, "a later run.t_end continues the history")
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "h2.h5"), "--quiet",
                               "--set", "run.t_end=60", "--save-state", f"30:{state}")
        self.assertEqual(code, 4, "an existing state file is kept without --force")

    def test_bad_save_state_or_baseline_paths_fail_before_the_run(self):
        """Not after hours of computing: exit 4 (the horizon mismatch: 3) and no output file. Every
        --save-state file is test-created where it will be written, as the output is: a directory that
        is a file, a name too long for the file system and (as root, who passes access()) /proc were
        found only at the save day, with the output left failed (and /proc reported as a full disk);
        --force replaced a FIFO or a device node (as root, --save-state 180:/dev/null --force would
        have replaced the system's /dev/null). An output whose checkpoint names are too long failed at
        its first checkpoint."""
        afile = os.path.join(self.dir, "afile.h5")
        with open(afile, "w") as f:
            f.write("not a directory")
        long_name = os.path.join(self.dir, "a" * 250 + ".h5")  # fits NAME_MAX; its .partial does not
        fifo, dev = os.path.join(self.dir, "fifo"), os.path.join(self.dir, "mynull")
        os.mkfifo(fifo)
        cases = [(["--save-state", "1000:/nonexistent-dir/s.h5"], 4,
                  "--save-state 1000:/nonexistent-dir/s.h5: directory /nonexistent-dir: No such file or directory"),
                 (["--save-state", f"1000:{afile}/s.h5"], 4, f"directory {afile}: Not a directory"),
                 (["--save-state", f"1000:{long_name}"], 4, "in directory " + self.dir + ": File name too long"),
                 (["--save-state", f"1000:{fifo}", "--force"], 4,
                  f"--save-state 1000:{fifo}: {fifo} is not a regular file: --force replaces only an earlier result"),
                 (["--baseline", os.path.join(self.dir, "missing.h5")], 4, "missing.h5: cannot read it: No such file")]
        if os.geteuid() == 0:
            os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            cases.append((["--save-state", f"1000:{dev}", "--force"], 4, f"{dev} is not a regular file"))
            cases.append((["--save-state", "1000:/proc/cartsim-s.h5"], 4,
                           "cannot create /proc/cartsim-s.h5 in directory /proc: "))
        short = os.path.join(self.dir, "short.h5")
        code, _, err = cartsim("run", REF, "-o", short, "--quiet", "--set", "run.t_end=20")
        self.assertEqual(code, 0, err)
        cases.append((["--baseline", short], 3, "ends at day 20, this run at day 1825"))
        # --force must not let a saved state overwrite the run's own input; a directory is no file
        cases.append((["--baseline", short, "--save-state", f"1000:{short}", "--force"], 2,
                      f"--save-state 1000:{short} is the run's --baseline file"))
        os.mkdir(os.path.join(self.dir, "adir"))
        cases.append((["--save-state", f"1000:{os.path.join(self.dir, 'adir')}"], 2, "adir is a directory"))
        for n, (args, want, text) in enumerate(cases):
            out = os.path.join(self.dir, f"early{n}.h5")
            with self.subTest(args=args):
                code, _, err = cartsim("run", REF, "-o", out, "--quiet", *args)
                self.assertEqual(code, want, err)
                self.assertIn(text, err)
                self.assertNotIn("disk full", err)
                self.assertFalse(os.path.exists(out), f"{args}: an output was created")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), "--force replaced a FIFO")
        if os.path.lexists(dev):
            self.assertTrue(stat.S_ISCHR(os.lstat(dev).st_mode), "--force replaced a device node")
        self.assertFalse(os.path.exists(long_name) or os.path.exists("/proc/cartsim-s.h5"))
        # the longest checkpoint name (OUT.ckpt.<n>.h5.partial) is test-created with the output
        out = os.path.join(self.dir, "b" * 236 + ".h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=200",
                               "--set", "output.checkpoint_every=50")
        self.assertEqual(code, 4, err)
        self.assertIn(f"-o {out}: its checkpoints (output.checkpoint_every, checkpoint_minutes) cannot be written: "
                      f"cannot create {out}.ckpt.", err)
        self.assertIn("File name too long", err)
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if n.startswith("bbb")), [], "an output was left")
        # a state is first written as FILE.partial, a leftover of that name removed: when that name was the
        # output (-o s.h5.partial --save-state 50:s.h5), the up-front test-create deleted it, without --force,
        # and the save then replaced the running output
        out, saved = os.path.join(self.dir, "s.h5.partial"), os.path.join(self.dir, "s.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=20")
        self.assertEqual(code, 0, err)
        with open(out, "rb") as f:
            before = f.read()
        for force in ([], ["--force"]):
            code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=100",
                                   "--save-state", f"50:{saved}", *force)
            self.assertEqual(code, 2, err)
            self.assertIn(f"--save-state 50:{saved} is first written as {out}, the output file", err)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), before, "the output was touched")
            self.assertFalse(os.path.exists(saved))

    def test_side_by_side_runs_from_one_state(self):
        """Three cartsim processes at once (as the explorer or GNU parallel start them), loading and
        saving states: isolated Open MPI singletons shared a session directory, and MPI-IO's
        shared-file-pointer files in it made such runs print mmap errors and fail at random (each
        now has its own: test_singleton_session_directory_is_private)."""
        state = os.path.join(self.dir, "s300.h5")
        code, _, err = cartsim("run", REF, "-o", os.path.join(self.dir, "h.h5"), "--quiet",
                               "--set", "run.t_end=301", "--save-state", f"300:{state}")
        self.assertEqual(code, 0, err)
        for i in range(8):
            procs = [subprocess.Popen([BIN, "run", REF, "-o", os.path.join(self.dir, f"b{n}.h5"), "--quiet", "--force",
                                       "--from-state", state, "--set", f"run.t_end={310 - 3 * n}",
                                       "--save-state", f"302:{self.dir}/s{n}.h5", "--force"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
                     for n in range(3)]
            for p in procs:
                _, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, f"round {i}: {err}")
                self.assertEqual(err, "", f"round {i}: stderr not empty")

    def test_branch_keeps_the_retention_measured_in_its_history(self):
        """MSCs at day 100: the 30-day retention is measured at day 130, before a state saved at
        day 200. A branch from that state had NaN there (the state did not keep it), while its
        180-day value, measured after the branch point, was right."""
        msc = ["--set", "treatments[0].type=msc", "--set", "treatments[0].day=100", "--set", "treatments[0].dose=5e7"]
        il1ra = ["--set", "treatments[1].type=il1ra", "--set", "treatments[1].day=300", "--set", "treatments[1].dose=150"]
        common = ["--quiet", "--set", "run.t_end=400", "--set", "output.fields_every=0"]
        state, cont, branch = (os.path.join(self.dir, n) for n in ("s200.h5", "cont.h5", "branch.h5"))
        code, _, err = cartsim("run", REF, "-o", cont, *common, *msc, *il1ra, "--save-state", f"200:{state}")
        self.assertEqual(code, 0, err)
        code, _, err = cartsim("run", REF, "-o", branch, *common, "--from-state", state,
                               *[a.replace("treatments[1]", "treatments[0]") for a in il1ra])
        self.assertEqual(code, 0, err)
        with h5py.File(cont, "r") as c, h5py.File(branch, "r") as b:
            for name in ("msc_retained_30d", "msc_retained_180d"):
                want, got = float(c["outcomes"][name][()]), float(b["outcomes"][name][()])
                self.assertTrue(want > 0, f"{name}: {want}")
                self.assertAlmostEqual(got / want, 1.0, delta=1e-6, msg=name)

    def test_branch_keeps_a_crossing_just_before_its_day(self):
        """With k_c 0.03 mean collagen falls below 0.8 at day ~898.2, between the output steps
        895 and 900. A branch from the state of day 900 reported day 900 (its first row, already
        below) as the crossing; its history's own crossing is the right one, and so it is when
        the branching day is not an output step (898.9)."""
        common = ["--quiet", "--set", "model.k_c=0.03", "--set", "output.fields_every=0"]
        hist = os.path.join(self.dir, "hist.h5")
        code, _, err = cartsim("run", REF, "-o", hist, *common, "--set", "run.t_end=1000",
                               "--save-state", f"900:{self.dir}/s900.h5", "--save-state", f"898.9:{self.dir}/s898.h5")
        self.assertEqual(code, 0, err)
        with h5py.File(hist, "r") as f:
            want = float(f["outcomes/years_to_c80"][()])
        self.assertAlmostEqual(want * 365, 898.2, delta=0.5)
        for day in ("900", "898"):
            out = os.path.join(self.dir, f"b{day}.h5")
            code, _, err = cartsim("run", os.path.abspath(REF), "-o", out, *common, "--set", "run.t_end=1000",
                                   "--from-state", f"s{day}.h5", "--set", "treatments[0].type=msc",
                                   "--set", f"treatments[0].day={day if day == '900' else '898.9'}",
                                   "--set", "treatments[0].dose=5e7", cwd=self.dir)
            self.assertEqual(code, 0, err)
            with h5py.File(out, "r") as f:
                got = float(f["outcomes/years_to_c80"][()])
                # the state file as an absolute path (a relative one named it from the directory
                # the run was started in)
                self.assertEqual(f["meta"].attrs["from_state"], os.path.realpath(f"{self.dir}/s{day}.h5"))
            # the same crossing up to the interpolation's reach: the save day replaces the next step
            self.assertAlmostEqual(got * 365, want * 365, delta=0.1, msg=f"branch at day {day}")

    def test_treatments_record_the_source_and_the_cells_added(self):
        """/treatments kept the user's viability factor only: which cell source ran, and how many
        viable cells it added, were not in the file (only in /meta/config's text)."""
        out = os.path.join(self.dir, "src.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=60", "--set",
                               "output.fields_every=0", "--set", "treatments[0].type=msc", "--set",
                               "treatments[0].day=10", "--set", "treatments[0].dose=5e7", "--set",
                               "treatments[0].source=adipose", "--set", "treatments[0].viability=0.5",
                               "--set", "treatments[1].type=il1ra", "--set", "treatments[1].day=20",
                               "--set", "treatments[1].dose=150")
        self.assertEqual(code, 0, err)
        from postprocess.reader import Run
        t = Run(out).treatments
        self.assertEqual([r["source"] for r in t], ["adipose", "-"])
        self.assertAlmostEqual(t[0]["cells"], 5e7 * 0.5 * 0.85, delta=1.0)  # adipose viability 0.85
        self.assertEqual(t[1]["cells"], 0.0)
        with h5py.File(out, "r") as f:
            self.assertEqual(f["treatments/cells"].attrs["units"], "cells")
            self.assertAlmostEqual(float(f["timeseries/msc_injected"][-1]), t[0]["cells"], delta=1.0)

    def test_singleton_session_directory_is_private(self):
        """Isolated Open MPI singletons all use job family 0, so concurrent ones shared
        TMPDIR/ompi.HOST.UID/jf.0/1 and raced on creating and removing it: ~1.5 % of runs died in
        MPI_Init at 8 at a time (the explorer; the flake of the test above). A file where that shared
        directory would be makes the old behaviour fail every time; cartsim's private directory is
        removed at exit, and a directory the user chose is used and kept."""
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        host = os.uname().nodename.split(".")[0]
        open(os.path.join(tmp, f"ompi.{host}.{os.getuid()}"), "w").close()
        env = dict(ENV, TMPDIR=tmp)
        env.pop("OMPI_MCA_orte_tmpdir_base", None)
        args = [BIN, "run", REF, "--quiet", "--set", "run.t_end=2", "--set", "output.dt=1", "--set", "output.fields_every=0"]
        p = subprocess.run(args + ["-o", os.path.join(self.dir, "a.h5")], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(tmp)), [f"ompi.{host}.{os.getuid()}"], "private directory left behind")
        mine = os.path.join(self.dir, "mine")
        os.mkdir(mine)
        p = subprocess.run(args + ["-o", os.path.join(self.dir, "b.h5")], capture_output=True, text=True,
                           env=dict(env, OMPI_MCA_orte_tmpdir_base=mine), timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.isdir(mine), "the user's directory was removed")
        self.assertEqual(sorted(os.listdir(tmp)), [f"ompi.{host}.{os.getuid()}"], "a private directory was made")

    def test_time_series_are_one_chunk_when_the_plan_fits(self):
        """The time series' chunks hold the rows the run plans (up to 4096): in chunks of 64, the
        reference's 366 rows took six writes per quantity at the flush, ~300 small writes that were
        half of its output cost. A run continued past its plan adds chunks; a short one stays small."""
        out = os.path.join(self.dir, "plan.h5")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--set", "run.t_end=400", "--set", "output.dt=1",
                               "--set", "output.fields_every=0")
        self.assertEqual(code, 0, err)
        with h5py.File(out, "r") as f:
            for group in ("timeseries", "solver"):
                for name, ds in f[group].items():
                    self.assertEqual(ds.shape, (401,), f"/{group}/{name}")
                    self.assertEqual(ds.chunks, (448,), f"/{group}/{name}")  # 403 planned, rounded up to 64
                    self.assertEqual(ds.id.get_num_chunks(), 1, f"/{group}/{name}")
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--force", "--set", "run.t_end=4", "--set",
                               "output.dt=4", "--set", "output.fields_every=0")
        self.assertEqual(code, 0, err)
        with h5py.File(out, "r") as f:
            self.assertEqual(f["timeseries/time"].chunks, (64,))
        code, _, err = cartsim("run", REF, "-o", out, "--quiet", "--force", "--set", "run.t_end=50000", "--set",
                               "output.dt=1", "--set", "output.fields_every=0", "--set", "grid.nz=4")
        self.assertEqual(code, 0, err)
        with h5py.File(out, "r") as f:
            self.assertEqual(f["timeseries/time"].chunks, (4096,))
            self.assertEqual(f["timeseries/time"].id.get_num_chunks(), 13)

    def test_singleton_start_loads_only_what_one_process_needs(self):
        """What the dynamic loader opens for a one-rank run (glibc's LD_DEBUG, no tool needed): hwloc's
        OpenCL, GL and libxml2 plugins (OpenCL, X11, ICU) and Open MPI's collectives for many ranks
        took ~20 ms of every start; a variable the user set wins. hypre (16 libraries, ~10 ms) is loaded
        only by runs that use PFMG, not by this 1-D one. And no library is looked for in the
        current directory: the build tree's RUNPATH ended in an empty entry, which the loader reads as
        '.', so a libm.so.6 where cartsim was started would have been loaded.
        Open MPI's components: the one a singleton ends up with per framework (36 objects were
        loaded, 18 now; singleton.c). With HDF5 linked from its archive (CMake's
        CARTSIM_STATIC_DEPS, CARTSIM_HDF5_STATIC=1 here) neither libhdf5 nor libcurl and the ~30
        libraries behind it are loaded (15 ms of every start)."""
        env = {k: v for k, v in ENV.items() if not k.startswith(("HWLOC_", "OMPI_MCA_", "LD_DEBUG"))}
        args = [os.path.abspath(BIN), "run", os.path.abspath(REF), "--quiet", "--force", "--set", "run.t_end=2",
                "--set", "output.dt=1"]

        def loaded(extra, name):
            logs = os.path.join(self.dir, name)
            os.mkdir(logs)
            p = subprocess.run(args + ["-o", os.path.join(self.dir, name + ".h5")], capture_output=True, text=True,
                               env=dict(env, LD_DEBUG="libs", LD_DEBUG_OUTPUT=os.path.join(logs, "ld"), **extra),
                               timeout=120, cwd=self.dir)
            self.assertEqual(p.returncode, 0, p.stderr)
            text = "".join(open(os.path.join(logs, f)).read() for f in os.listdir(logs))
            self.assertIn("calling init", text, "LD_DEBUG wrote nothing")
            return text

        text = loaded({}, "plain")
        for lib in ("hwloc_opencl", "hwloc_gl", "libxml2", "mca_coll_tuned", "mca_coll_han", "libHYPRE",
                    "mca_state_hnp", "mca_state_orted", "mca_errmgr_default_hnp", "mca_shmem_sysv", "mca_osc_rdma",
                    "mca_osc_monitoring", "mca_op_avx", "mca_topo_treematch"):
            self.assertFalse(lib in text, f"{lib} was loaded")
        for lib in ("mca_coll_basic", "mca_state_app", "mca_errmgr_default_app", "mca_osc_sm", "mca_topo_basic"):
            self.assertTrue(lib in text, f"{lib} was not loaded")
        if os.environ.get("CARTSIM_HDF5_STATIC") == "1":
            for lib in ("libhdf5_openmpi.so", "libcurl", "libgnutls", "libkrb5", "libldap", "libsundials"):
                self.assertFalse(lib in text, f"{lib} was loaded (HDF5 and SUNDIALS are linked statically)")
        tried = re.findall(r"trying file=(\S+)", text)
        self.assertTrue(tried)
        self.assertEqual([f for f in tried if not f.startswith("/")], [], "libraries looked for in the current directory")
        text = loaded({"OMPI_MCA_coll": "self,basic,libnbc,tuned", "OMPI_MCA_osc": "sm,monitoring"}, "user")
        self.assertTrue("mca_coll_tuned" in text, "the user's OMPI_MCA_coll was overridden")
        self.assertTrue("mca_osc_monitoring" in text, "the user's OMPI_MCA_osc was overridden")

    def test_directories_of_killed_singletons_are_removed(self):
        """A singleton killed before its cleanup (SIGKILL, a Slurm time limit) left its Open MPI
        session directory in TMPDIR, one per killed job. Each holds cartsim.lock, flock'ed while its
        process lives; the next singleton removes those whose lock is free, and leaves one whose
        lock is held (a live run), one without the lock file (an older cartsim's) and other files."""
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        env = dict(ENV, TMPDIR=tmp)
        env.pop("OMPI_MCA_orte_tmpdir_base", None)
        run = subprocess.Popen([BIN, "run", REF, "-o", os.path.join(self.dir, "k.h5"), "--quiet", "--set",
                                "run.t_end=365000", "--set", "output.fields_every=0"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and not any(os.path.exists(os.path.join(tmp, d, "cartsim.lock"))
                                                      for d in os.listdir(tmp)):
                time.sleep(0.05)
        finally:
            run.kill()
            run.wait()
        killed = [d for d in os.listdir(tmp) if d.startswith("cartsim-mpi-")]
        self.assertEqual(len(killed), 1, "the killed run's directory, with its lock file")
        live = os.path.join(tmp, "cartsim-mpi-live01")
        old = os.path.join(tmp, "cartsim-mpi-old001")
        for d in (live, old):
            os.mkdir(d)
        self.write("tmp/cartsim-mpi-file", "not a directory")
        with open(os.path.join(live, "cartsim.lock"), "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            p = subprocess.run([BIN, "check", REF], capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(tmp)), ["cartsim-mpi-file", "cartsim-mpi-live01", "cartsim-mpi-old001"])


if __name__ == "__main__":
    unittest.main()
