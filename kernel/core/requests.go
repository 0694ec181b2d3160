package core

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/hwnas/hwnas/kernel/transport"
)

func (k *Kernel) kernelInfo() map[string]any {
	li := k.in.Info()
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       transport.ProtocolVersion,
		"implementation":         "hwnas",
		"implementation_version": Version,
		"language_info":          li,
		"banner":                 li.Banner,
		"help_links":             []any{},
	}
}

// runeToByte converts a cursor position in code points to a byte offset.
func runeToByte(s string, pos int) int {
	if pos < 0 {
		return len(s)
	}
	b := 0
	for i := 0; i < pos && b < len(s); i++ {
		_, n := utf8.DecodeRuneInString(s[b:])
		b += n
	}
	return b
}

// byteToRune converts a byte offset to a position in code points.
func byteToRune(s string, b int) int {
	b = min(max(b, 0), len(s))
	return utf8.RuneCountInString(s[:b])
}

// cursorRequest is the content of complete and inspect requests. The
// cursor is in code points, as the messaging specification says since 5.2;
// without one it is at the end of the code.
type cursorRequest struct {
	Code        string `json:"code"`
	CursorPos   *int   `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

// parseCursor decodes a complete or inspect request and returns its cursor
// as a byte offset.
func parseCursor(m *transport.Message) (req cursorRequest, cursor int, err error) {
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return req, 0, fmt.Errorf("%s content: %w", m.Header.MsgType, err)
	}
	cursor = len(req.Code)
	if req.CursorPos != nil {
		cursor = runeToByte(req.Code, *req.CursorPos)
	}
	return req, cursor, nil
}

func (k *Kernel) complete(m *transport.Message) (any, error) {
	req, cur, err := parseCursor(m)
	if err != nil {
		return nil, err
	}
	c := k.in.Complete(req.Code, cur)
	if c.Matches == nil {
		c.Matches = []string{}
		c.CursorStart, c.CursorEnd = cur, cur
	}
	return map[string]any{
		"status": "ok", "matches": c.Matches, "metadata": map[string]any{},
		"cursor_start": byteToRune(req.Code, c.CursorStart), "cursor_end": byteToRune(req.Code, c.CursorEnd),
	}, nil
}

func (k *Kernel) inspect(m *transport.Message) (any, error) {
	req, cur, err := parseCursor(m)
	if err != nil {
		return nil, err
	}
	data, found := k.in.Inspect(req.Code, cur, req.DetailLevel)
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"status": "ok", "found": found, "data": data, "metadata": map[string]any{}}, nil
}

func (k *Kernel) isComplete(m *transport.Message) (any, error) {
	var req struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("is_complete_request content: %w", err)
	}
	status, indent := k.in.IsComplete(req.Code)
	c := map[string]any{"status": status}
	if status == "incomplete" {
		c["indent"] = indent
	}
	return c, nil
}

// currentSession is the history session number of this process; earlier
// sessions are not stored.
const currentSession = 1

// history answers tail, range and search requests over this session's cells.
func (k *Kernel) history(m *transport.Message) (any, error) {
	var req struct {
		Output     bool   `json:"output"`
		AccessType string `json:"hist_access_type"`
		Session    int    `json:"session"`
		Start      int    `json:"start"`
		Stop       int    `json:"stop"`
		N          int    `json:"n"`
		Pattern    string `json:"pattern"`
		Unique     bool   `json:"unique"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("history_request content: %w", err)
	}
	var sel []histEntry
	switch req.AccessType {
	case "tail", "":
		sel = k.hist.tail(req.N)
	case "range":
		if req.Session <= 0 || req.Session == currentSession { // earlier sessions are not kept
			sel = k.hist.lines(req.Start, req.Stop)
		}
	case "search":
		sel = k.hist.search(req.Pattern, req.N, req.Unique)
	default:
		return nil, fmt.Errorf("history_request: hist_access_type %q: want tail, range or search", req.AccessType)
	}
	rows := make([]any, 0, len(sel))
	for _, h := range sel {
		if !req.Output {
			rows = append(rows, []any{currentSession, h.line, h.input})
			continue
		}
		var out any
		if h.output != "" {
			out = h.output
		}
		rows = append(rows, []any{currentSession, h.line, []any{h.input, out}})
	}
	return map[string]any{"status": "ok", "history": rows}, nil
}
