package kernel

import (
	"context"
	"fmt"
	"strings"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/traefik/yaegi/interp"
)

// Session is the hwnas interpreter: it dispatches each cell to the DSL, to
// yaegi (%%go cells) or to the magics, and keeps their state between cells.
type Session struct {
	goS *goSession
	dsl *dslCells
}

// SessionOptions configure a Session.
type SessionOptions struct {
	// StoreDir is where experiment results and caches live ("" = the default
	// of package engine).
	StoreDir string
	// GoExports are extra packages made importable in %%go cells.
	GoExports interp.Exports
}

// NewSession returns a fresh interpreter session.
func NewSession(o SessionOptions) (*Session, error) {
	d := newDSLCells(o.StoreDir)
	extra := hwnasExports(d)
	for k, v := range o.GoExports {
		extra[k] = v
	}
	g, err := newGoSession(extra)
	if err != nil {
		return nil, err
	}
	g.disp.results = d
	return &Session{goS: g, dsl: d}, nil
}

// Info describes the hwnas language.
func (s *Session) Info() core.LanguageInfo {
	return core.LanguageInfo{
		Name:          "hwnas",
		Version:       core.Version,
		Mimetype:      "text/x-hwnas",
		FileExtension: ".hwnas",
		Pygments:      "text",
		CodeMirror:    "text/plain",
		Banner: "hwnas " + core.Version + ": hardware-aware NAS and NAS/FPGA co-design.\n" +
			"Cells hold DSL declarations, `run NAME`, %%go code or %magics; %help lists them.",
	}
}

// cellKind says how a cell is interpreted.
type cellKind int

const (
	dslCell cellKind = iota
	goCell
	magicCell
	pageCell
)

// classify returns the kind of a cell, its body (without a %%go line) and
// the 1-based line the body starts on.
func classify(code string) (cellKind, string, int) {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		switch {
		case t == "%%go" || strings.HasPrefix(t, "%%go ") || strings.HasPrefix(t, "%%go\t"):
			return goCell, strings.Join(lines[i+1:], "\n"), i + 2
		case strings.HasPrefix(t, "%"):
			return magicCell, strings.Join(lines[i:], "\n"), i + 1
		case strings.HasSuffix(strings.TrimSpace(code), "?") && !strings.ContainsAny(strings.TrimSpace(code), " \t\n{}"):
			return pageCell, strings.TrimSuffix(strings.TrimSpace(code), "?"), i + 1
		}
		return dslCell, code, 1
	}
	return dslCell, code, 1
}

// Execute runs one cell.
func (s *Session) Execute(ctx context.Context, code string, out *core.Output) (*core.ExecResult, error) {
	kind, body, line := classify(code)
	switch kind {
	case goCell:
		return s.goS.execute(ctx, body, line, out)
	case magicCell:
		return s.magics(ctx, body, out)
	case pageCell:
		data, found := s.Inspect(body, len(body), 1)
		if !found {
			return nil, &core.CellError{Name: "NameError", Value: fmt.Sprintf("nothing is known about %q", body)}
		}
		text, _ := data["text/plain"].(string)
		return &core.ExecResult{Payload: []map[string]any{{"source": "page", "data": data, "start": 0, "text": text}}}, nil
	}
	if strings.TrimSpace(code) == "" {
		return &core.ExecResult{}, nil
	}
	return s.dsl.execute(ctx, code, out)
}

// reset discards every declaration and Go value.
func (s *Session) reset() error {
	s.dsl.reset()
	s.goS.mu.Lock()
	defer s.goS.mu.Unlock()
	return s.goS.reset()
}

// Evaluate evaluates a user expression as Go in the %%go session and returns
// its MIME bundle.
func (s *Session) Evaluate(ctx context.Context, expr string) (map[string]any, error) {
	res, err := s.goS.execute(ctx, expr, 1, core.NewOutput(func(string, any) {}))
	if err != nil {
		return nil, err
	}
	if res == nil || res.Data == nil {
		return map[string]any{"text/plain": ""}, nil
	}
	return res.Data, nil
}
