"""cartsim explore's command line without the ~900 real runs (those: explorer_generate): the help
text, and the one-line `cartsim explore: error:` of docs/exit-codes.md when a run fails, when a run
is interrupted and when the explorer itself gets SIGINT. A stand-in cartsim (a shell script) plays
the runs."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from postprocess import explorer  # noqa: E402


class ExplorerCommandLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="explorer_cli_")
        self.out = os.path.join(self.dir, "out")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake(self, body):
        """A stand-in cartsim: a shell script with `body`; it records its pid in DIR/pids."""
        path = os.path.join(self.dir, "cartsim")
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\necho $$ >> {self.dir}/pids\n{body}\n")
        os.chmod(path, 0o755)
        return path

    def explore(self, cartsim, *extra):
        env = dict(os.environ, PYTHONPATH=REPO)
        return subprocess.Popen([sys.executable, "-m", "postprocess.explorer", "--cartsim", cartsim, "-o", self.out,
                                 "--quick", "--jobs", "2", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=REPO, env=env)

    def test_every_option_says_what_it_does_and_its_default(self):
        """--cartsim and -o had no help text, so `cartsim explore --help` showed no default for them."""
        for action in explorer.parser()._actions:
            if action.option_strings == ["-h", "--help"]:
                continue
            self.assertTrue(action.help, f"{action.option_strings} has no help text")
            if action.default not in (None, False):
                self.assertIn("default", action.help, f"{action.option_strings}: the default is not shown")
        text = explorer.parser().format_help()
        self.assertIn("default: results/explorer", text)
        self.assertIn("default: build/cartsim", text)

    def test_a_failing_run_is_one_error_line_then_its_stderr(self):
        """The explorer printed `explorer: cartsim run '...' failed`; docs/exit-codes.md says
        `cartsim explore: error:`."""
        p = self.explore(self.fake("echo 'cartsim: error: broken on purpose' >&2\nexit 5"))
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 5, err)
        lines = err.splitlines()
        self.assertRegex(lines[0], r"^cartsim explore: error: cartsim run '\w+ untreated' failed \(exit 5\): .+ run ")
        self.assertEqual(lines[1:], ["cartsim: error: broken on purpose"])
        self.assertNotIn("explorer: ", out)

    def test_force_removes_the_old_page_before_the_runs(self):
        """A failed `--force` rerun left the previous index.html and summary.csv beside
        half-replaced runs, a page that no longer described the files next to it."""
        os.makedirs(self.out)
        for name in ("index.html", "summary.csv", "notes.txt"):
            with open(os.path.join(self.out, name), "w") as f:
                f.write("old")
        p = self.explore(self.fake("exit 5"), "--force")
        p.communicate(timeout=120)
        self.assertEqual(p.returncode, 5)
        self.assertEqual(sorted(os.listdir(self.out)), ["notes.txt", "runs", "states"], "the user's own file stays")

    def test_an_interrupted_run_is_one_error_line_and_exit_6(self):
        p = self.explore(self.fake("exit 6"))
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 6, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, r"^cartsim explore: error: the run '\w+ untreated' was interrupted; the explorer "
                              r"cannot resume: run the same command with --force to start again\n$")

    def test_sigint_stops_the_runs_one_error_line_and_exit_6(self):
        """SIGINT to the explorer itself (not to the runs) was a KeyboardInterrupt traceback, exit 130."""
        p = self.explore(self.fake("sleep 60 & trap 'kill $!; exit 6' TERM\nwait"))
        pids = os.path.join(self.dir, "pids")
        deadline = time.time() + 60
        while time.time() < deadline and not (os.path.exists(pids) and len(open(pids).read().split()) == 2):
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 6, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, r"^cartsim explore: error: interrupted by SIGINT; the explorer cannot resume")
        for pid in open(pids).read().split():
            with self.assertRaises(ProcessLookupError, msg=f"run {pid} still going"):
                os.kill(int(pid), 0)

    def test_missing_cartsim(self):
        p = self.explore(os.path.join(self.dir, "nonexistent"))
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 2, err)
        self.assertEqual(err.splitlines(), [f"cartsim explore: error: {os.path.join(self.dir, 'nonexistent')}: "
                                            "no cartsim executable there (build it, or pass --cartsim)"])


if __name__ == "__main__":
    unittest.main()
