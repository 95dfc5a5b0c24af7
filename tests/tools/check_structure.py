#!/usr/bin/python3
"""The architecture, checked on the source text (issue 9).

1. Include rules: each folder includes only the layers below it
   (core <- models <- io, solver <- cli), and the libraries it owns:
   hdf5.h only in io/, glpk.h only in solver/lp.c, CLP's (COIN-OR)
   headers only in solver/lp_clp.cpp, the project's one C++ file, libyaml, libcsv,
   xxHash and libdeflate only in io/, OpenMP and MPI only in solver/
   (and cli/main.c, which starts and ends MPI).
2. Function length: no function in core/, models/, solver/ or io/ is
   longer than MAX_LINES lines from its opening to its closing brace,
   except those listed in EXCEPTIONS with the reason.

The code's style puts a function's braces in column 0, which is what this
relies on; a definition written otherwise would escape the length check,
so that style is checked too (an opening brace after a top-level ')').

usage: check_structure.py SOURCE_DIR   (exit 1 listing every violation)
"""
import os
import re
import sys

MAX_LINES = 80
LAYERS = {"core": set(), "models": {"core"}, "io": {"core", "models"},
          "solver": {"core", "models"}, "cli": {"core", "models", "io", "solver"}}
# Third-party headers and the folders (or files) allowed to include them.
OWNED = {
    "hdf5.h": {"io"}, "hdf5_hl.h": {"io"}, "H5": {"io"},
    "glpk.h": {"solver/lp.c"},
    # COIN-OR's headers (Clp*.hpp, Coin*.hpp, coin/...): the CLP engine's shim
    "Clp": {"solver/lp_clp.cpp"}, "Coin": {"solver/lp_clp.cpp"}, "coin/": {"solver/lp_clp.cpp"},
    "yaml.h": {"io"}, "csv.h": {"io"}, "xxhash.h": {"io"}, "libdeflate.h": {"io"},
    "omp.h": {"solver"}, "mpi.h": {"solver", "cli/main.c"},
    "gsl/": {"models"}, "Random123/": {"models"},
}
# The only C++ sources: the CLP engine's shim over ClpSimplex.
CXX_FILES = {"solver/lp_clp.cpp"}
# name -> reason; keep empty unless a function truly reads best whole.
EXCEPTIONS = {}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def include_problems(root, folder, name, lines):
    where = f"{folder}/{name}"
    out = []
    for no, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        kind, path = m.groups()
        if kind == '"':
            parts = os.path.normpath(os.path.join(folder, path)).split(os.sep)
            target = parts[0] if len(parts) > 1 else folder
            if target != folder and target not in LAYERS[folder]:
                out.append(f"{where}:{no}: includes {path}: {folder}/ may include only "
                           f"{sorted(LAYERS[folder] | {folder})}")
            continue
        for header, owners in OWNED.items():
            prefix = header.endswith(("/", "H5", "Clp", "Coin"))
            if path == header or (prefix and path.startswith(header)):
                if folder not in owners and where not in owners:
                    out.append(f"{where}:{no}: includes <{path}>, which only {sorted(owners)} may")
    return out


def function_problems(folder, name, lines):
    where = f"{folder}/{name}"
    out = []
    start = None
    for no, line in enumerate(lines, 1):
        if line.startswith("{") and start is None:
            start = no
            # the signature ends on the line before; find the function's name
            sig = " ".join(l.strip() for l in lines[max(0, no - 4):no - 1])
            m = re.findall(r"(\w+)\s*\(", sig)
            fname = m[0] if m else "?"
        elif line.startswith("}") and start is not None:
            length = no - start + 1
            if length > MAX_LINES and fname not in EXCEPTIONS:
                out.append(f"{where}:{start}: {fname} is {length} lines (at most {MAX_LINES})")
            start = None
        elif start is None and re.match(r"^[A-Za-z_].*\)\s*\{\s*$", line) and "=" not in line \
                and not line.startswith(("typedef", "struct", "enum", "union")):
            out.append(f"{where}:{no}: put a function's opening brace on its own line")
    return out


def main():
    root = sys.argv[1]
    problems = []
    for folder in LAYERS:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if name.endswith((".cpp", ".cc", ".cxx", ".hpp", ".hh")) and \
                    f"{folder}/{name}" not in CXX_FILES:
                problems.append(f"{folder}/{name}: C++ only in {sorted(CXX_FILES)} (the CLP "
                                f"shim); the project is C11")
            if not name.endswith((".c", ".h", ".cpp")):
                continue
            with open(os.path.join(root, folder, name), encoding="utf-8") as f:
                lines = f.read().split("\n")
            problems += include_problems(root, folder, name, lines)
            if folder != "cli" and name.endswith((".c", ".cpp")):
                problems += function_problems(folder, name, lines)
    for p in problems:
        print(p)
    print(f"check_structure: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
