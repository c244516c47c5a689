"""The one error idiom of the postprocess command-line tools.

A tool's main() reports a problem as one line, `PROG: error: ...`, on stderr
and exits with a documented status (docs/exit-codes.md, "postprocess tools"):

    2  bad arguments, a missing or unreadable input file
    3  nothing to analyse in the input (no completed sweep rows, an unknown
       outcome column, not a sensitivity design)
    4  the results cannot be written (a file where the output directory
       should be, no permission, read-only or full file system)
    6  interrupted by SIGINT/SIGTERM (a tool that runs cartsim stops its
       runs first: Interrupts)

ArgumentParser is argparse with that idiom: a bad option is one line and exit 2
(argparse's own prints the usage block first and names the module as prog).
output_dir() checks the output directory before any work is done (the demo,
the explorer and the validation run for minutes first); run() turns an
OSError met later while writing (a full disk) into the same one line and 4
instead of a traceback.
"""

import argparse
import contextlib
import os
import signal
import sys
import tempfile

EXIT_USAGE = 2
EXIT_IO = 4
EXIT_INTERRUPTED = 6


class InputError(Exception):
    """An input file that cannot be read or is not what the tool reads
    (reader.CartsimFileError): run() reports one a tool did not handle as one
    line and exit 2."""


def fail(prog, message, code):
    """Print `PROG: error: MESSAGE` and exit with `code`."""
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(code)


class ArgumentParser(argparse.ArgumentParser):
    """argparse.ArgumentParser whose errors (an unknown option, a bad value) are
    one line, `NAME: error: MESSAGE (see PROG --help)`, and exit 2. NAME is the
    tool's other errors' prefix (default: PROG, the command in the usage)."""

    def __init__(self, *args, name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name or self.prog

    def error(self, message):
        fail(self.name, f"{message} (see {self.prog} --help)", EXIT_USAGE)


def positive_int(text):
    """argparse type: a whole number >= 1 (a rank or job count)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: must be at least 1")
    return n


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived (raised by Interrupts.check); str() is
    'interrupted by SIGINT' or 'interrupted by SIGTERM'."""


class Interrupts:
    """`with Interrupts() as stop:` records SIGINT and SIGTERM instead of acting
    on them; the tool calls stop.check() at safe points, which raises
    Interrupted, stops its child processes and exits EXIT_INTERRUPTED with one
    line. Recording rather than raising in the handler: an exception thrown
    inside subprocess.Popen after the fork would lose the child. The previous
    handlers are restored on leaving. Main thread only (Python's rule)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum = None
        self._previous = {}

    def _record(self, signum, frame):
        if self.signum is None:  # the first one counts; a second Ctrl-C does not cut the clean-up short
            self.signum = signum

    def __enter__(self):
        for s in self.SIGNALS:
            self._previous[s] = signal.signal(s, self._record)
        return self

    def __exit__(self, *exc):
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        return False

    def check(self):
        if self.signum is not None:
            raise Interrupted(f"interrupted by {signal.Signals(self.signum).name}")


def output_dir(prog, path):
    """Create the directory `path` (and its parents) if needed and check that
    files can be created in it, by creating (and removing) one; exit 4 with
    one line and the system's reason if not. Returns path. (os.access said
    no without saying why: a read-only file system was "permission denied";
    and it says yes where no file can be made, /sys or /proc.)"""
    if os.path.exists(path) and not os.path.isdir(path):
        fail(prog, f"cannot use {path} as the output directory: it is a file", EXIT_IO)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        fail(prog, f"cannot create the output directory {path}: {err.strerror or err}", EXIT_IO)
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=path)
    except OSError as err:
        fail(prog, f"cannot write into the output directory {path}: {err.strerror or err}", EXIT_IO)
    os.close(fd)
    os.remove(probe)
    return path


@contextlib.contextmanager
def writing(path):
    """An OSError while writing `path` names it: matplotlib and PIL raise a full
    disk's error without a file name, so run() could only say "No space left on
    device"."""
    try:
        yield
    except OSError as err:
        if err.filename is None:
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        raise


def usable_cpus():
    """The CPUs this process may run on (a Slurm or cgroup CPU set, taskset):
    os.cpu_count() counts the machine's, so a default of that many parallel
    runs oversubscribed a restricted node."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_outcome(rc):
    """(words, exit status) for a cartsim run that ended with returncode rc != 0:
    ("exit N", N), or for one a signal killed (rc = -N: the out-of-memory
    killer's SIGKILL, say) ("killed by signal N (SIGKILL)", 128 + N), the
    shells' status for it (it was "exit -9" and exit 1, which no table lists)."""
    if rc > 0:
        return f"exit {rc}", rc
    try:
        name = f" ({signal.Signals(-rc).name}{': out of memory?' if -rc == signal.SIGKILL else ''})"
    except ValueError:
        name = ""
    return f"killed by signal {-rc}{name}", 128 - rc


def write_whole(path, text, newline=None):
    """Write `text` to `path` whole or not at all: into PATH.tmp.<pid> beside
    it, renamed over `path` once complete (a full disk left a cut-off
    index.html that looked finished and showed "Loading..." for ever); an
    OSError names `path` (writing)."""
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with writing(path):
            with open(tmp, "w", encoding="utf-8", newline=newline) as f:
                f.write(text)
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.remove(tmp)


def run(prog, main, argv=None):
    """main(argv), with an OSError (a full disk while writing) reported as one
    line, `PROG: error: FILE: reason`, and exit 4, and an input file that
    cannot be read where a tool did not expect it (InputError: a file damaged
    past its first bytes) as one line and exit 2."""
    try:
        return main(argv)
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        sys.stderr.write(f"{prog}: error: {where}{err.strerror or err}\n")
        return EXIT_IO
    except InputError as err:
        sys.stderr.write(f"{prog}: error: {err}\n")
        return EXIT_USAGE
