// The hwnas dashboard's script: it sorts and filters the trials table, and
// polls /api/stamp, re-reading the page when the store has changed. The
// table's sort and filter survive the re-read.
"use strict";

const state = { col: -1, dir: 1, filter: "" };

// sortValue is a cell's sort key: its data-sort number (null when
// unmeasured, sorted last), else its text.
function sortValue(row, i) {
  const c = row.cells[i];
  if (c.dataset.sort === undefined) return c.textContent.trim();
  return c.dataset.sort === "" ? null : parseFloat(c.dataset.sort);
}

function sortRows(table) {
  if (state.col < 0) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = sortValue(a, state.col), y = sortValue(b, state.col);
    if (x === null || y === null) return (x === null) - (y === null);
    if (typeof x === "number" && typeof y === "number") return state.dir * (x - y);
    return state.dir * String(x).localeCompare(String(y));
  });
  rows.forEach((r) => body.appendChild(r));
  Array.from(table.tHead.rows[0].cells).forEach((th, i) => {
    th.setAttribute("aria-sort", i !== state.col ? "none" : state.dir > 0 ? "ascending" : "descending");
  });
}

function keep(row) {
  switch (state.filter) {
    case "": return true;
    case "pareto": return row.dataset.pareto === "true";
    case "feasible": return row.dataset.feasible === "true";
  }
  return row.dataset.status === state.filter;
}

function filterRows(table) {
  const rows = Array.from(table.tBodies[0].rows);
  let shown = 0;
  for (const r of rows) {
    r.hidden = !keep(r);
    if (!r.hidden) shown++;
  }
  const out = document.getElementById("shown");
  if (out) out.textContent = shown + " of " + rows.length + " shown";
}

// wire connects the trials table's headers and filter; it runs on load and
// after every re-read.
function wire() {
  const table = document.getElementById("trials");
  if (!table) return;
  Array.from(table.tHead.rows[0].cells).forEach((th, i) => {
    const sort = () => {
      state.dir = state.col === i ? -state.dir : 1;
      state.col = i;
      sortRows(table);
    };
    th.tabIndex = 0; // sortable from the keyboard too
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
  const sel = document.getElementById("status-filter");
  if (sel) {
    sel.value = state.filter;
    if (sel.value !== state.filter) state.filter = "";
    sel.addEventListener("change", () => {
      state.filter = sel.value;
      filterRows(table);
    });
  }
  sortRows(table);
  filterRows(table);
}

let stamp = null;
let polling = false;
let lastPick = 0; // when the reader last opened or changed a menu
document.addEventListener("focusin", (e) => { if (e.target.tagName === "SELECT") lastPick = Date.now(); });
document.addEventListener("change", () => { lastPick = Date.now(); });

function setLive(ok) {
  const el = document.getElementById("live");
  if (!el) return;
  el.className = ok ? "live" : "live offline";
  el.textContent = ok ? "live · " + new Date().toLocaleTimeString() : "store unreachable";
}

// refresh re-reads the page and replaces its content.
async function refresh() {
  const r = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
  if (!r.ok) throw new Error("re-reading the page: " + r.status);
  const doc = new DOMParser().parseFromString(await r.text(), "text/html");
  const fresh = doc.getElementById("main");
  if (fresh) {
    document.getElementById("main").replaceWith(document.adoptNode(fresh));
    wire();
  }
}

async function poll() {
  if (polling) return;
  polling = true;
  try {
    const r = await fetch("/api/stamp", { cache: "no-store", credentials: "same-origin" });
    if (!r.ok) throw new Error("polling: " + r.status);
    const s = (await r.json()).stamp;
    if (stamp !== null && s !== stamp) {
      // Not while the reader is picking in a menu: a later poll refreshes.
      if (Date.now() - lastPick < 3000) return;
      await refresh();
    }
    stamp = s;
    setLive(true);
  } catch (e) {
    setLive(false);
  } finally {
    polling = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  wire();
  poll();
  setInterval(poll, parseInt(document.body.dataset.poll, 10) || 2000);
});
