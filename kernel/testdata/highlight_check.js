// Tokenizes a cell read on stdin with the "hwnas" CodeMirror mode of a
// kernelspec's kernel.js, through CodeMirror's node runmode, and prints the
// styled tokens as JSON [[style, text], …]. Run by kernel/highlight_test.go:
//
//     node highlight_check.js KERNEL.JS RUNMODE.NODE.JS < cell
"use strict";
const CodeMirror = require(process.argv[3]);
let mod = null;
global.define = function (deps, factory) { mod = factory(CodeMirror, {notebook: null}); };
require(process.argv[2]);
if (!mod || typeof mod.onload !== "function") {
  console.error("kernel.js defined no AMD module with onload");
  process.exit(1);
}
mod.onload(); // no notebook here: must not throw
const src = require("fs").readFileSync(0, "utf8");
const out = [];
CodeMirror.runMode(src, "text/x-hwnas", function (text, style) {
  if (style) { out.push([style, text]); }
});
console.log(JSON.stringify(out));
