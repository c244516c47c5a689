"""valgrind memcheck of a short 1-D simulation: no invalid reads/writes and
no definite leak allocated by cartsim's own code: the first named frame
above the allocator decides (Open MPI's MPI_Init/MPI_Finalize leak a few
blocks by design; those are counted but allowed).
Usage: check_memcheck.py VALGRIND_LOG"""
import re
import sys

log = open(sys.argv[1]).read()
blocks = re.split(r"\n==\d+== \n", log)
SKIP = re.compile(r"^(strdup|strndup|__vasprintf|__asprintf|asprintf|vasprintf|malloc|calloc|realloc)\b|libc\.so")
ours = re.compile(r"\b(cs_\w+|main\.c|run\.c|config\.c|h5out\.c|state\.c|precond\.c|integrate\.c|problem\.c|decomp\.c)\b")
bad = []
for b in blocks:
    if "definitely lost in" in b:
        frames = [l.split(": ", 1)[-1] for l in b.splitlines() if "by 0x" in l or "at 0x" in l]
        owner = next((f for f in frames[1:] if not f.startswith("???") and not SKIP.search(f)), "")
        if ours.search(owner):
            bad.append(b)
    if re.search(r"Invalid (read|write)|uninitialised value|Conditional jump", b) and ours.search(b):
        bad.append(b)
summary = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", log)
print("valgrind:", summary.group(0) if summary else "no leak summary", "(all through MPI_Init)" if not bad else "")
for b in bad:
    print("FAIL:\n" + b)
sys.exit(1 if bad or "ERROR SUMMARY" not in log else 0)
