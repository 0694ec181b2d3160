"""Run the teaching notebooks in a real browser: Jupyter Notebook 6 and
headless Chromium driven by Selenium. Run by notebooks/browser_test.go as

    python3 browser_check.py WORKDIR BUDGET SHOTS NOTEBOOK.ipynb...

WORKDIR is a scratch directory (the notebooks are copied there, shrunk by
BUDGET as run_notebook.py does, so the repository's copies are untouched,
with the .csv and .json data files beside them);
the hwnas kernelspec must be on JUPYTER_PATH. For every notebook it runs all
cells from the page and checks: no error output and no stderr text, an
experiment's progress is one display updated in place (not a line per
trial), at least one SVG plot, and an HTML table where the notebook runs
an experiment. Then, in a scratch notebook, Tab after "strat" offers
"strategy", and Interrupt stops a running experiment. A failure saves a
screenshot (and the page's text) in SHOTS and ends with exit status 1.
"""
import json
import re
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_notebook import shrink  # noqa: E402  (the same caps as the nbclient test)

import nbformat  # noqa: E402

TOKEN = "hwnas-browser-test"
CELL_TIMEOUT = 900  # seconds for a whole notebook


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir, port):
    log = open(os.path.join(workdir, "jupyter.log"), "w")
    cmd = ["/usr/bin/python3", "-m", "notebook", "--no-browser", "--port=%d" % port, "--ip=127.0.0.1",
           "--NotebookApp.token=" + TOKEN, "--NotebookApp.notebook_dir=" + workdir, "--allow-root"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    url = "http://127.0.0.1:%d/api/status?token=%s" % (port, TOKEN)
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("jupyter notebook did not start; see " + log.name)


def browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--user-data-dir=" + profile, "--window-size=1400,1000"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait(driver, what, cond, timeout):
    """Polls a JavaScript condition until it is truthy; returns its value."""
    end = time.time() + timeout
    while time.time() < end:
        v = driver.execute_script("try { return (" + cond + "); } catch (e) { return null; }")
        if v:
            return v
        time.sleep(0.5)
    raise AssertionError("timed out after %ds waiting for %s" % (timeout, what))


def open_notebook(driver, port, name):
    # leave the last page without its "changes not saved" prompt
    driver.execute_script("if (window.Jupyter && Jupyter.notebook) { Jupyter.notebook.set_dirty(false); } window.onbeforeunload = null;")
    driver.get("http://127.0.0.1:%d/notebooks/%s?token=%s" % (port, name, TOKEN))
    wait(driver, "the hwnas kernel to be ready",
         "Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && "
         "Jupyter.notebook.kernel.info_reply && Jupyter.notebook.kernel.info_reply.implementation === 'hwnas'", 120)


# Reads every code cell's outputs from the page's notebook model.
OUTPUTS = """return Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => ({
  count: c.input_prompt_number, source: c.get_text(), outputs: c.output_area.outputs,
  progress: c.output_area.element[0].querySelectorAll('.hwnas-progress').length}));"""


def run_all(driver, name):
    driver.execute_script("Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells();")
    wait(driver, "every cell of %s to run" % name,
         "Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').every(c => typeof c.input_prompt_number === 'number') "
         "&& Jupyter.notebook.kernel_busy === false", CELL_TIMEOUT)
    return driver.execute_script(OUTPUTS)


def check_notebook(driver, name, cells):
    problems = []
    runs = 0
    for i, c in enumerate(cells):
        for o in c["outputs"]:
            if o.get("output_type") == "error":
                problems.append("cell %d: %s: %s" % (i, o.get("ename"), o.get("evalue")))
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                problems.append("cell %d: stderr: %s" % (i, o.get("text")))
        is_run = any("hwnas-progress" in json.dumps(o.get("data", {})) for o in c["outputs"])
        if is_run:
            runs += 1
            # one display per experiment the cell runs, each updated in place
            want = len(re.findall(r"(?m)^\s*(?:experiment|run)\s+\w+", c["source"])) or 1
            if c["progress"] != want:
                problems.append("cell %d: %d progress displays, want %d (one per run) updated in place" % (i, c["progress"], want))
            text = json.dumps([o.get("data", {}).get("text/plain", "") for o in c["outputs"]])
            if " done: " not in text:
                problems.append("cell %d: the progress display was not updated to done: %s" % (i, text[:300]))
    svgs = driver.execute_script("return document.querySelectorAll('.output_area svg').length")
    tables = driver.execute_script("return document.querySelectorAll('.output_area .output_html table').length")
    if svgs == 0:
        problems.append("no SVG plot rendered")
    if runs > 0 and tables == 0:
        problems.append("an experiment ran but no HTML table rendered")
    return problems, svgs, tables


def check_completion(driver):
    """Tab after 'strat' in a DSL cell offers 'strategy' (inline or in the list)."""
    driver.execute_script("""var nb = Jupyter.notebook; var c = nb.insert_cell_at_bottom('code');
      nb.select(nb.find_cell_index(c)); c.set_text('experiment e {\\n  strat'); c.focus_editor();
      c.code_mirror.setCursor({line: 1, ch: 7});""")
    area = driver.find_elements(By.CSS_SELECTOR, ".cell.selected .CodeMirror textarea")[-1]
    area.send_keys(Keys.TAB)
    got = wait(driver, "the completer to answer Tab",
               "(document.querySelector('.completions select') && Array.from(document.querySelectorAll('.completions select option')).map(o => o.value).join(' ')) "
               "|| (Jupyter.notebook.get_selected_cell().get_text().indexOf('strategy') >= 0 && 'strategy (inline)')", 30)
    if "strategy" not in got:
        return ["Tab after 'strat' offered %r, not strategy" % got]
    area.send_keys(Keys.ESCAPE)
    return []


INTERRUPTED = """experiment browser_interrupt {
  space = fnas_mnist
  platform = pynq
  dataset = mnist
  maximize accuracy
  strategy random
  budget 500 trials
  seed 7
}"""


def check_interrupt(driver):
    """A long experiment stops on Kernel > Interrupt, keeping its trials."""
    driver.execute_script("""var nb = Jupyter.notebook; var c = nb.insert_cell_at_bottom('code');
      c.set_text(arguments[0]); nb.select(nb.find_cell_index(c)); c.execute();""", INTERRUPTED)
    wait(driver, "the experiment to start", "Jupyter.notebook.get_selected_cell().output_area.element[0].querySelector('.hwnas-progress')", 120)
    time.sleep(2)
    t0 = time.time()
    driver.find_element(By.CSS_SELECTOR, 'button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]').click()
    # the cell, not the kernel's status: an interrupt request has a busy/idle of its own
    wait(driver, "the interrupted cell to end", "typeof Jupyter.notebook.get_selected_cell().input_prompt_number === 'number'", 60)
    took = time.time() - t0
    # IOPub and shell reach the browser on two sockets: the error may follow the reply
    try:
        wait(driver, "the interrupted cell's error", "Jupyter.notebook.get_selected_cell().output_area.outputs.some(o => o.output_type === 'error')", 10)
    except AssertionError:
        pass  # reported below, with the outputs there are
    outs = driver.execute_script("return Jupyter.notebook.get_selected_cell().output_area.outputs")
    errs = [o for o in outs if o.get("output_type") == "error"]
    if not errs or "stopped" not in errs[0].get("evalue", ""):
        return ["Interrupt did not stop the experiment with a message: %s" % json.dumps(outs)[:500]]
    if took > 30:
        return ["Interrupt took %.0f s to stop the experiment" % took]
    return []


def prepare(workdir, notebooks, budget):
    names = []
    for nb in notebooks:
        doc = nbformat.read(nb, as_version=4)
        for cell in doc.cells:
            if cell.cell_type == "code":
                cell.source = shrink(cell.source, budget)
                cell.outputs, cell.execution_count = [], None
        name = os.path.basename(nb)
        nbformat.write(doc, os.path.join(workdir, name))
        names.append(name)
        copy_data(os.path.dirname(os.path.abspath(nb)), workdir)
    return names


def copy_data(src, workdir):
    """Copies the data files a notebook reads beside it (08's calibration and
    measurements: .csv, .json) into the scratch directory the kernel runs in."""
    for f in os.listdir(src):
        if f.endswith((".csv", ".json")) and os.path.isfile(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), workdir)


def main():
    workdir, budget, shots = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    names = prepare(workdir, sys.argv[4:], budget)
    port = free_port()
    server = start_server(workdir, port)
    profile = os.path.join(workdir, "chromium-profile")
    driver = browser(profile)
    failures = []

    def fail(label, problems):
        path = os.path.join(shots, label + ".png")
        try:
            driver.save_screenshot(path)
            with open(os.path.join(shots, label + ".txt"), "w") as f:
                f.write(driver.find_element(By.TAG_NAME, "body").text)
        except Exception as e:  # the screenshot must not hide the failure
            path = "no screenshot: %s" % e
        failures.append("%s (screenshot %s):\n  %s" % (label, path, "\n  ".join(problems)))

    try:
        for name in names:
            t0 = time.time()
            try:
                open_notebook(driver, port, name)
                problems, svgs, tables = check_notebook(driver, name, run_all(driver, name))
            except Exception as e:
                problems, svgs, tables = ["%s: %s" % (type(e).__name__, e)], 0, 0
            print("%s: %d SVG plots, %d HTML tables, %.1f s%s" % (name, svgs, tables, time.time() - t0,
                                                                     "" if not problems else ", FAILED"))
            if problems:
                fail(name, problems)
            driver.execute_script("Jupyter.notebook.kernel && Jupyter.notebook.session.delete();")
        # completion and interrupt, in the FNAS notebook whose declarations just ran
        for label, check in (("completion", check_completion), ("interrupt", check_interrupt)):
            try:
                open_notebook(driver, port, "02-fnas.ipynb")
                # run the declarations (the first code cell) for the interrupted experiment
                driver.execute_script("Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code')[0].execute();")
                wait(driver, "the declarations", "typeof Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code')[0].input_prompt_number === 'number' "
                     "&& Jupyter.notebook.kernel_busy === false", 60)
                problems = check(driver)
            except Exception as e:
                problems = ["%s: %s" % (type(e).__name__, e)]
            print("%s: %s" % (label, "ok" if not problems else "FAILED"))
            if problems:
                fail(label, problems)
            driver.execute_script("Jupyter.notebook.kernel && Jupyter.notebook.session.delete();")
    finally:
        driver.quit()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
