// The hwnas cell language for Jupyter Notebook 6: a CodeMirror 5 mode named
// "hwnas" (MIME text/x-hwnas), loaded from the kernelspec directory when a
// notebook starts the kernel. DSL cells get keywords, layer types and
// strategies, metrics, numbers with units, strings and # comments; a cell
// starting with %%go is highlighted as Go; %magic lines as meta.
// hwnas kernel install writes this file with WORDS filled in from the
// checker's own tables (dsl.HighlightWords).
define(["codemirror/lib/codemirror", "base/js/namespace"], function (CodeMirror, Jupyter) {
  "use strict";
  var WORDS = {{WORDS}};
  var GO_KEYWORDS = "break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var".split(" ");
  var GO_BUILTINS = "append bool byte cap close complex copy delete error false float32 float64 int int64 iota len make new nil panic print println recover string true uint".split(" ");

  function set(list) {
    var s = {};
    list.forEach(function (w) { s[w] = true; });
    return s;
  }
  function escape(s) { return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&"); }

  var keyword = set(WORDS.keywords), builtin = set(WORDS.builtins), metric = set(WORDS.metrics);
  var goKeyword = set(GO_KEYWORDS), goBuiltin = set(GO_BUILTINS);
  // longest unit first, so that "ms" is not read as "m" and "GB/s" whole
  var units = WORDS.units.slice().sort(function (a, b) { return b.length - a.length; });
  var unitRe = new RegExp("^(?:" + units.map(escape).join("|") + ")(?![A-Za-z0-9_])");

  function goToken(stream) {
    if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^`[^`]*`?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) { return "string"; }
    if (stream.match(/^\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?/)) { return "number"; }
    var w = stream.match(/^[A-Za-z_]\w*/);
    if (w) {
      if (goKeyword[w[0]]) { return "keyword"; }
      if (goBuiltin[w[0]]) { return "builtin"; }
      return w[0] === "hwnas" || w[0] === "display" || w[0] === "fmt" ? "variable-2" : "variable";
    }
    stream.next();
    return null;
  }

  function dslToken(stream, state) {
    if (stream.peek() === "#") { stream.skipToEnd(); return "comment"; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) { return "string"; }
    if (state.afterNumber && stream.match(unitRe)) { return "atom"; }
    if (state.afterNumber && stream.match(/^x(?=\d)/)) { state.afterNumber = false; return "operator"; } // 28x28x1
    state.afterNumber = false;
    if (stream.match(/^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/)) {
      state.afterNumber = true;
      return "number";
    }
    var w = stream.match(/^[A-Za-z_][\w-]*/);
    if (w) {
      if (keyword[w[0]]) { return "keyword"; }
      if (builtin[w[0]]) { return "builtin"; }
      if (metric[w[0]]) { return "variable-2"; }
      return "variable";
    }
    if (stream.match(/^(?:<=|>=|->|\.\.|[<>=])/)) { return "operator"; }
    stream.next();
    return null;
  }

  CodeMirror.defineMode("hwnas", function () {
    return {
      startState: function () { return {line: 0, go: false, afterNumber: false}; },
      token: function (stream, state) {
        if (stream.sol()) {
          state.line++;
          state.afterNumber = false;
          if (state.line === 1 && stream.match(/^%%go\b/)) { state.go = true; stream.skipToEnd(); return "meta"; }
          if (!state.go && stream.match(/^\s*%\w+/)) { return "meta"; }
        }
        if (stream.eatSpace()) { return null; }
        return state.go ? goToken(stream) : dslToken(stream, state);
      },
      lineComment: "#"
    };
  });
  CodeMirror.defineMIME("text/x-hwnas", "hwnas");
  if (CodeMirror.modeInfo && !CodeMirror.findModeByName("hwnas")) {
    CodeMirror.modeInfo.push({name: "hwnas", mime: "text/x-hwnas", mode: "hwnas", ext: ["hwnas"]});
  }

  return {
    onload: function () {
      // The notebook may have asked for the mode before this file loaded
      // (and fallen back to plain text): give every code cell the mode now.
      var nb = Jupyter.notebook;
      if (nb && nb._dispatch_mode) { nb._dispatch_mode("hwnas", "hwnas"); }
    }
  };
});
