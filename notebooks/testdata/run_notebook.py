"""Execute one teaching notebook with nbclient on the hwnas kernel.

Run by notebooks/notebooks_test.go as

    python3 run_notebook.py NOTEBOOK.ipynb BUDGET [EXECUTED.ipynb]

BUDGET caps the cost of every DSL cell the way `hwnas run --budget` does on
the command line: `budget N trials` becomes at most BUDGET trials, and the
image counts of data sets (`train`, `val`, `test`) at most 50 x BUDGET, with
one epoch. BUDGET 0 runs the notebook exactly as written. The kernel runs in
the notebook's directory, as in Jupyter. Every cell must run without an
`error` output or text on stderr, and every notebook must draw at least one
SVG plot; each failure is printed with its cell.
With a third argument the executed notebook is written there, to read.
"""
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

TRIALS = re.compile(r"\bbudget\s+(\d+)\s+trials\b")
IMAGES = re.compile(r"\b(train|val|test)\s*=\s*(\d+)\b")
EPOCHS = re.compile(r"\bepochs\s*=\s*(\d+)\b")


def shrink(src, budget):
    """Caps the trials and data of a DSL cell; %%go and magic cells are kept."""
    if budget <= 0 or src.lstrip().startswith("%"):
        return src
    src = TRIALS.sub(lambda m: "budget %d trials" % min(int(m.group(1)), budget), src)
    src = IMAGES.sub(lambda m: "%s = %d" % (m.group(1), min(int(m.group(2)), 50 * budget)), src)
    return EPOCHS.sub("epochs = 1", src)


def main():
    path, budget = sys.argv[1], int(sys.argv[2])
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = shrink(cell.source, budget)
    start = time.time()
    client = NotebookClient(nb, kernel_name="hwnas", timeout=600, allow_errors=True,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    client.execute()
    failures = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                failures.append("cell %d: %s: %s\n%s\n--- cell source ---\n%s" % (
                    i, out.ename, out.evalue, "\n".join(out.traceback), cell.source))
            elif out.output_type == "stream" and out.name == "stderr":
                failures.append("cell %d: stderr: %s\n--- cell source ---\n%s" % (i, out.text, cell.source))
    plots = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {}))
    if plots == 0:
        failures.append("no cell drew an SVG plot")
    if len(sys.argv) > 3:
        nbformat.write(nb, sys.argv[3])
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    if failures:
        print("%s: %d failures" % (os.path.basename(path), len(failures)))
        for f in failures:
            print(f)
        sys.exit(1)
    print("%s ok: %d code cells, %d plots in %.1f s" % (os.path.basename(path), code_cells, plots, time.time() - start))


if __name__ == "__main__":
    main()
