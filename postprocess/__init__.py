"""cartsim postprocessing: read cartsim HDF5 run files, plot, animate, report.

Depends only on the HDF5 layout (solvers/io/h5out.h, docs/output.md), never on
the C code. Modules:

    reader   Run(path): one run file (status, parameters, series, fields, ...)
    metrics  benefit, horizon, retention and other numbers derived from runs
    plots    early_vs_late, profiles, inflammation, animation, summary_table
    report   write_report: one self-contained HTML page
    xdmf     write_xdmf: ParaView/VisIt description of 2-D/3-D field files
    plot     command line: figures for any runs   (python3 -m postprocess.plot)
    demo     the educators' early-versus-late demo (python3 -m postprocess.demo)
    explorer the classroom explorer: one offline page (python3 -m postprocess.explorer)
    validation  the model against the targets of model.md (python3 -m postprocess.validation)
    sensitivity Sobol indices / Morris screening of a sweep's summary.csv
    sweep_plots window map, cohort and sensitivity figures of a sweep (python3 -m postprocess.sweep_plots)
    cli      the shared argument parser and one-line error exits of the command-line tools

Needs numpy, h5py, matplotlib, PIL and yaml. Debian's /usr/bin/python3 has them;
importing this package with an interpreter that lacks one prints one line
saying which interpreter was used and how to install them, and exits with
status 3.
"""

import sys

_REQUIRED = ("numpy", "h5py", "matplotlib", "PIL", "yaml")
APT_HINT = "apt-get install python3-h5py python3-matplotlib python3-numpy python3-scipy python3-pil python3-yaml"


def _check_dependencies():
    """Exit with status 3 and one clear line if a required module is missing."""
    import importlib

    for name in _REQUIRED:
        try:
            importlib.import_module(name)
        except ImportError as err:
            sys.stderr.write(
                f"postprocess: error: the Python interpreter {sys.executable} (Python {sys.version.split()[0]}) "
                f"cannot import {name} ({err}); use Debian's /usr/bin/python3 (for cartsim demo/explore: "
                f"CARTSIM_PYTHON=/usr/bin/python3) after: {APT_HINT}\n")
            sys.exit(3)


_check_dependencies()
