"""Drive the hwnas dashboard in headless Chromium while a run writes to the store.

usage: browser.py URL SHOTS_DIR [DOCS_SHOT]

Opens the list of runs, opens the run, waits until its trial count grows
(the page follows the store), sorts and filters the trials table, opens a
trial, and fails on any console error. On failure it saves a screenshot of
the page to SHOTS_DIR; DOCS_SHOT, when given, receives a screenshot of the
run's page for the documentation, and DOCS_SHOT with -trial before .png one
of the trial's page.
"""
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def driver(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("HWNAS_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,1200",
                 "--user-data-dir=" + profile):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    svc = Service(os.environ.get("HWNAS_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=svc, options=opts)


def count(d):
    return int(d.find_element(By.ID, "trial-count").text)


def console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


def retry(d, f, timeout=20):
    """f(d) until it is truthy, again when the page replaced an element."""
    return WebDriverWait(d, timeout, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(f)


def failed_rows(d):
    """The trials shown, which must all be failed and give a reason."""
    shown = []
    for r in d.find_elements(By.CSS_SELECTOR, "#trials tbody tr"):
        if not r.is_displayed():
            continue
        assert r.get_attribute("data-status") == "failed", r.get_attribute("data-status")
        assert r.find_element(By.CSS_SELECTOR, ".reason").text, "a failed trial without its reason"
        shown.append(r.get_attribute("data-status"))
    return shown


def check(d, url, docs_shot):
    d.get(url)
    retry(d, lambda d: d.find_element(By.CSS_SELECTOR, "#runs a").click() or True)
    first = retry(d, count)
    print("trials at first:", first)
    # The page must follow the store: the count grows without a reload.
    marker = d.execute_script("window.hwnasMarker = 1; return window.hwnasMarker")
    retry(d, lambda d: count(d) > first + 2, 30)
    assert d.execute_script("return window.hwnasMarker") == marker, "the page reloaded instead of updating"
    grown = retry(d, count)
    print("trials later:", grown)
    if docs_shot:
        retry(d, lambda d: count(d) >= 30, 30)  # enough trials for a telling picture
        assert d.save_screenshot(docs_shot), "could not write " + docs_shot
    rows = retry(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#trials tbody tr"))
    assert len(rows) >= grown, "the table shows %d rows for %d trials" % (len(rows), grown)

    # The content is replaced whenever the store changes, so every lookup
    # below retries on a stale element, as a user would click again.
    # Sort by id descending: two clicks on the id header.
    for want in ("ascending", "descending"):
        retry(d, lambda d: d.find_element(By.CSS_SELECTOR, "#trials thead th").click() or True)
        retry(d, lambda d: d.find_element(By.CSS_SELECTOR, "#trials thead th").get_attribute("aria-sort") == want)
    ids = retry(d, lambda d: [int(c.text) for c in d.find_elements(By.CSS_SELECTOR, "#trials tbody tr td:first-child")])
    assert ids == sorted(ids, reverse=True), "id column not sorted descending: %s" % ids[:10]

    # Filter: failed trials only, each shows its reason.
    retry(d, lambda d: Select(d.find_element(By.ID, "status-filter")).select_by_value("failed") or True)
    shown = retry(d, failed_rows)
    assert shown, "no failed trial shown"
    retry(d, lambda d: Select(d.find_element(By.ID, "status-filter")).select_by_value("") or True)

    # Hover details on the plots: the points carry SVG <title>s.
    titles = retry(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".plots svg title")))
    hover = retry(d, lambda d: d.find_element(By.CSS_SELECTOR, ".plots svg title").get_attribute("textContent"))
    print("plot titles:", titles, "e.g.", hover)

    # Open a trial on the Pareto front.
    retry(d, lambda d: d.find_element(By.CSS_SELECTOR, "#trials tr.pareto td a").click() or True)
    assert retry(d, lambda d: d.find_element(By.ID, "genome").text.strip()), "the trial page shows no genome"
    assert retry(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#metrics tr")), "the trial page shows no metrics"
    time.sleep(1.5)  # a poll or two on this page too
    if docs_shot:
        retry(d, lambda d: d.find_element(By.ID, "fpga-layers"))
        trial_shot = docs_shot.replace(".png", "-trial.png")
        assert d.save_screenshot(trial_shot), "could not write " + trial_shot
    errs = console_errors(d)
    assert not errs, "console errors: %s" % errs
    print("ok")


def main():
    url, shots = sys.argv[1], sys.argv[2]
    docs_shot = sys.argv[3] if len(sys.argv) > 3 else ""
    with tempfile.TemporaryDirectory() as profile:
        d = driver(profile)
        try:
            check(d, url, docs_shot)
        except BaseException:
            os.makedirs(shots, exist_ok=True)
            path = os.path.join(shots, "dashboard-failure.png")
            d.save_screenshot(path)
            print("screenshot of the failure:", path, file=sys.stderr)
            try:
                print("console:", d.get_log("browser"), file=sys.stderr)
            except Exception:
                pass
            raise
        finally:
            d.quit()


if __name__ == "__main__":
    main()
