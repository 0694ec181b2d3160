"""Execute a notebook mixing DSL, %%go and magic cells with nbclient, on the
hwnas kernel, and assert its outputs. Run by kernel/jupyter_test.go.

The store lives in HWNAS_STORE (a temporary directory), so the first run of
the experiment evaluates every trial and the second resumes them all.
"""
import sys

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

DECLS = '''space nb201 = benchmark("nasbench201")
evaluator nb201_table table {
  benchmark = "nasbench201"
  split = "cifar10"
}'''

EXPERIMENT = '''experiment small {
  space = nb201
  evaluator = nb201_table
  platform = "ZCU102"
  maximize accuracy
  minimize latency
  strategy nsga2 { population = 8 }
  budget 24 trials
  seed 7
}'''

CELLS = [
    ("help", "%help"),
    ("platforms", "%platforms zcu"),
    ("decls", DECLS),
    ("first_run", EXPERIMENT),
    ("rerun", "run small"),
    ("go_value", '%%go\nanswer := 21'),
    ("go_result", '%%go\nanswer * 2'),
    ("go_api", '%%go\no, err := hwnas.Result("small")\nif err != nil { panic(err) }\nlen(o.Trials)'),
    ("go_load", '%%go\nstored, err := hwnas.Load("small")\nif err != nil { panic(err) }\nlen(stored.Trials) == len(o.Trials)'),
    ("go_display", '%%go\ndisplay.Markdown(fmt.Sprintf("**%d** Pareto trials", len(hwnas.Pareto(o))))'),
    ("redeclare", DECLS.replace('"cifar10"', '"cifar100"')),
    ("cache", "%cache"),
    ("typo", "experiment broken {\n  space = nb2O1\n}"),
    ("go_panic", '%%go\nvar m map[string]int\nm["x"] = 1'),
    ("after_errors", "%%go\nanswer"),
]


def outputs_of(nb):
    return {cell.metadata["name"]: cell.outputs for cell in nb.cells}


def text(outs):
    parts = []
    for o in outs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif o.output_type in ("display_data", "execute_result"):
            parts.append(o.data.get("text/plain", ""))
        elif o.output_type == "error":
            parts.append(o.ename + ": " + o.evalue)
    return "\n".join(parts)


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        check.failed = True


check.failed = False


def main():
    nb = new_notebook()
    for name, src in CELLS:
        cell = new_code_cell(src)
        cell.metadata["name"] = name
        if name in ("typo", "go_panic"):
            cell.metadata["tags"] = ["raises-exception"]
        nb.cells.append(cell)
    NotebookClient(nb, kernel_name="hwnas", timeout=120).execute()
    out = outputs_of(nb)

    check("%platforms" in text(out["help"]) and "%%go" in text(out["help"]), "help lists magics and %%go")
    check(any("ZCU102" in o.data.get("text/html", "") for o in out["platforms"] if "data" in o), "platforms table has ZCU102")
    check(out["decls"] == [], "declarations print nothing: %r" % out["decls"])

    first = out["first_run"]
    progress = [o for o in first if o.output_type == "display_data" and "hwnas-progress" in o.data.get("text/html", "")]
    check(len(progress) == 1, "one progress display updated in place, got %d" % len(progress))
    check(progress and "small done: 24/24" in progress[0].data["text/plain"], "progress ends done 24/24: %r" % (progress and progress[0].data["text/plain"]))
    tables = [o for o in first if o.output_type == "display_data" and "<table" in o.data.get("text/html", "")]
    check(len(tables) == 1 and "Pareto front" in tables[0].data["text/plain"], "results table with text/plain")
    # nbclient applies update_display_data: redeclaring an input later marks this table stale.
    check(tables and tables[0].data["text/plain"].startswith("stale:"), "earlier results table marked stale in place")
    svgs = [o for o in first if "image/svg+xml" in o.get("data", {})]
    check(len(svgs) == 1 and "<svg" in svgs[0].data["image/svg+xml"] and "text/plain" in svgs[0].data, "SVG Pareto plot with text/plain")
    check("24 evaluated in this run" in text(first) and "0 resumed" in text(first), "first run evaluates its trials: %s" % text(first))

    check("0 evaluated in this run" in text(out["rerun"]) and "24 resumed from the store" in text(out["rerun"]),
          "re-run evaluates nothing and resumes every trial: %s" % text(out["rerun"]))

    check(text(out["go_value"]) == "", "assignment prints nothing")
    check(text(out["go_result"]) == "42", "values persist between %%go cells: %r" % text(out["go_result"]))
    check(text(out["go_api"]) == "24", "experiments are Go values: %r" % text(out["go_api"]))
    check(text(out["go_load"]) == "true", "hwnas.Load reads the store: %r" % text(out["go_load"]))
    check(any("text/markdown" in o.get("data", {}) for o in out["go_display"]), "display.Markdown")

    check("stale" in text(out["redeclare"]) and "small" in text(out["redeclare"]), "redeclaring an input marks the experiment stale: %r" % text(out["redeclare"]))
    check("accuracy" in text(out["cache"]) and "small (stale)" in text(out["cache"]), "%%cache: %r" % text(out["cache"]))

    errs = [o for o in out["typo"] if o.output_type == "error"]
    check(len(errs) == 1 and "SpecError" == errs[0].ename and any("^" in l for l in errs[0].traceback), "DSL error with caret: %r" % errs)
    errs = [o for o in out["go_panic"] if o.output_type == "error"]
    check(len(errs) == 1 and errs[0].ename == "Panic", "panic becomes an error: %r" % errs)
    check(text(out["after_errors"]) == "21", "kernel lives on after errors: %r" % text(out["after_errors"]))

    if check.failed:
        print(nbformat.writes(nb)[:20000])
        sys.exit(1)
    print("notebook ok: %d cells" % len(nb.cells))


if __name__ == "__main__":
    main()
