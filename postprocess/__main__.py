"""python3 -m postprocess COMMAND ...

    plot   RUN.h5 [...] [-o DIR] [--labels a,b] [--force]   figures (+ .xmf for 2-D/3-D)
    report RUN.h5 [...] [-o DIR] [--labels a,b] [--force]   figures + report.html
    xdmf   RUN.h5 [...]                                     .xmf and .xdmf2.xmf beside 2-D/3-D run files
    demo   --cartsim PATH [-o DIR] [--force]                the early-versus-late demo

plot and report refuse a DIR that already holds their figures or report.html
(exit 4, nothing written) unless --force.
"""

import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    from . import cli
    if cmd == "plot":
        from . import plot
        return cli.run("python3 -m postprocess plot", lambda a: plot.main(a, prog="python3 -m postprocess plot"), rest)
    if cmd == "report":
        from . import plot
        prog = "python3 -m postprocess report"
        return cli.run(prog, lambda a: plot.main(a, report_default=True, prog=prog), rest)
    if cmd == "xdmf":
        return cli.run("python3 -m postprocess xdmf", xdmf_main, rest)
    if cmd == "demo":
        from . import demo
        return demo.main(rest)
    sys.stderr.write(f"python3 -m postprocess: error: unknown command {cmd!r}\n{__doc__}")
    return 2


XDMF_USAGE = ("usage: python3 -m postprocess xdmf RUN.h5 [...]\n"
              "writes RUN.xmf (XDMF 3: ParaView's default readers) and RUN.xdmf2.xmf (XDMF 2: ParaView's\n"
              "'XDMF Reader', VisIt) beside each 2-D/3-D run file\n")


def xdmf_main(paths):
    import os

    from . import cli, xdmf
    from .reader import CartsimFileError
    if any(p in ("-h", "--help") for p in paths):
        sys.stdout.write(XDMF_USAGE)
        return 0
    if not paths:
        cli.fail("python3 -m postprocess xdmf", "no run file given (usage: python3 -m postprocess xdmf RUN.h5 [...])", 2)
    for path in paths:
        if not os.path.isfile(path):
            cli.fail("python3 -m postprocess xdmf",
                     f"{path}: " + ("a directory, not a run file" if os.path.isdir(path) else "no such file"), 2)
        try:
            out = xdmf.write_xdmf(path)
        except CartsimFileError as err:  # not a cartsim run file (the plot tool's message and code)
            cli.fail("python3 -m postprocess xdmf", str(err), 2)
        print(f"wrote {out} and {xdmf.xdmf2_path(out)}" if out else f"{path}: no XDMF needed (a 1-D run, or no field snapshots)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
