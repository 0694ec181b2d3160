package core

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// history is the input, and output, of the cells executed in this session,
// read the three ways a history_request asks: the last n, a range of
// execution counts, or a glob search. Its methods are safe for concurrent
// use; the zero value is empty.
type history struct {
	mu      sync.Mutex
	entries []histEntry
}

// histEntry is one executed cell: its execution count, its code and the
// text/plain of its result or its error ("" when it had none).
type histEntry struct {
	line   int
	input  string
	output string
}

func (h *history) add(e histEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, e)
}

// all returns a copy of the entries, oldest first.
func (h *history) all() []histEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]histEntry(nil), h.entries...)
}

// tail returns the last n entries, or all of them when n <= 0.
func (h *history) tail(n int) []histEntry {
	all := h.all()
	if n > 0 && len(all) > n {
		return all[len(all)-n:]
	}
	return all
}

// lines returns the entries with start <= line < stop; stop <= 0 means no
// upper bound.
func (h *history) lines(start, stop int) []histEntry {
	var sel []histEntry
	for _, e := range h.all() {
		if e.line >= start && (stop <= 0 || e.line < stop) {
			sel = append(sel, e)
		}
	}
	return sel
}

// search returns, oldest first, the n latest entries whose input matches
// the glob pattern ("" matches all; n <= 0 means no limit). With unique, an
// input is returned once, at its latest execution.
func (h *history) search(pattern string, n int, unique bool) []histEntry {
	all := h.all()
	seen := map[string]bool{}
	var sel []histEntry
	for i := len(all) - 1; i >= 0 && (n <= 0 || len(sel) < n); i-- {
		e := all[i]
		if pattern != "" && !globMatch(pattern, e.input) || unique && seen[e.input] {
			continue
		}
		seen[e.input] = true
		sel = append(sel, e)
	}
	slices.Reverse(sel)
	return sel
}

// globMatch reports whether s matches a history search pattern, where * and ?
// match any run of characters and any one character (newlines included), as
// IPython's SQLite GLOB does.
func globMatch(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}
