package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Version is the kernel implementation version reported in kernel_info.
const Version = "0.1.0"

// Kernel is the kernel core: it routes requests from the channels to the
// interpreter, wraps each in busy/idle, counts executions and keeps history.
type Kernel struct {
	s  *server
	in Interpreter

	shellQ       chan *Message
	inputC       chan *Message // input_reply messages from stdin
	abortPending bool          // set by a failed cell; only the executor goroutine touches it

	mu      sync.Mutex
	count   int
	hist    []histEntry
	cancel  context.CancelFunc // cancels the running cell, nil when idle
	stopped bool

	done     chan struct{}
	stopOnce sync.Once
	restart  bool
}

type histEntry struct {
	line   int
	input  string
	output string
}

// New binds the sockets of conn and returns a kernel serving in. Call Run.
func New(conn ConnectionInfo, in Interpreter, lg *log.Logger) (*Kernel, error) {
	s, err := newServer(conn, lg)
	if err != nil {
		return nil, err
	}
	return &Kernel{s: s, in: in, shellQ: make(chan *Message, 256), inputC: make(chan *Message, 1), done: make(chan struct{})}, nil
}

// Conn returns the connection info with the ports actually bound.
func (k *Kernel) Conn() ConnectionInfo { return k.s.conn }

// Session returns the per-process session id used in every header.
func (k *Kernel) Session() string { return k.s.session }

// Run serves requests until a shutdown_request arrives or ctx is cancelled,
// then closes the sockets. It reports whether a restart was requested.
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	k.s.publish("status", nil, map[string]any{"execution_state": "starting"})
	go k.receive(shellCh, func(m *Message) { k.shellQ <- m })
	go k.receive(controlCh, k.serveControl)
	go k.receive(stdinCh, k.serveStdin)
	go k.executor()
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-k.done:
	}
	k.Interrupt()
	k.s.flush()
	// zmq4's PUB socket queues internally and has no flush: give the last
	// messages (the shutdown reply's idle status) time to reach subscribers.
	time.Sleep(pubDrain)
	k.s.close()
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.restart, err
}

// pubDrain is how long Run waits for IOPub to drain before closing sockets.
const pubDrain = 100 * time.Millisecond

// Interrupt cancels the running cell, if any. It is safe from any goroutine
// (the SIGINT handler calls it too).
func (k *Kernel) Interrupt() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancel != nil {
		k.cancel()
	}
}

// receive feeds every valid message of a channel to handle until the socket closes.
func (k *Kernel) receive(ch channel, handle func(*Message)) {
	for {
		m, err := k.s.recv(ch)
		if err != nil {
			return
		}
		handle(m)
	}
}

// executor serves shell requests one at a time.
func (k *Kernel) executor() {
	for {
		select {
		case <-k.s.ctx.Done():
			return
		case m := <-k.shellQ:
			k.serve(shellCh, m)
			if k.abortPending {
				k.abortPending = false
				k.abortQueued()
			}
		}
	}
}

// serveControl serves a control request at once, even while a cell runs.
func (k *Kernel) serveControl(m *Message) { k.serve(controlCh, m) }

// serve wraps one request in busy/idle and answers it on the channel it came in on.
func (k *Kernel) serve(ch channel, m *Message) {
	parent := m.HeaderRaw
	k.s.publish("status", parent, map[string]any{"execution_state": "busy"})
	stop, restart := false, false
	defer func() {
		k.s.publish("status", parent, map[string]any{"execution_state": "idle"})
		if stop {
			k.shutdown(restart)
		}
	}()
	replyType := replyTypeOf(m.Header.MsgType)
	var content any
	var err error
	switch m.Header.MsgType {
	case "kernel_info_request":
		content = k.kernelInfo()
	case "execute_request":
		content, err = k.execute(ch, m)
	case "complete_request":
		content, err = k.complete(m)
	case "inspect_request":
		content, err = k.inspect(m)
	case "is_complete_request":
		content, err = k.isComplete(m)
	case "history_request":
		content, err = k.history(m)
	case "comm_info_request":
		content = map[string]any{"status": "ok", "comms": map[string]any{}}
	case "interrupt_request":
		k.Interrupt()
		content = map[string]any{"status": "ok"}
	case "shutdown_request":
		var req struct {
			Restart bool `json:"restart"`
		}
		err = json.Unmarshal(m.Content, &req)
		content = map[string]any{"status": "ok", "restart": req.Restart}
		stop, restart = err == nil, req.Restart
	case "comm_open":
		// No comm targets are registered: tell the frontend the comm is closed.
		var req struct {
			CommID string `json:"comm_id"`
		}
		if json.Unmarshal(m.Content, &req) == nil && req.CommID != "" {
			k.s.publish("comm_close", parent, map[string]any{"comm_id": req.CommID, "data": map[string]any{}})
		}
		return
	case "comm_msg", "comm_close":
		return
	default:
		k.s.log.Printf("%s: unsupported message type %q", ch, m.Header.MsgType)
		if replyType == "" {
			return
		}
		content = errorReply("UnsupportedRequest", fmt.Sprintf("hwnas does not support %s", m.Header.MsgType))
	}
	if err != nil {
		k.s.log.Printf("%s: %s: %v", ch, m.Header.MsgType, err)
		content = errorReply("BadRequest", err.Error())
	}
	k.s.reply(ch, m, replyType, content)
}

// shutdown stops Run once the current reply and idle status are out.
func (k *Kernel) shutdown(restart bool) {
	k.stopOnce.Do(func() {
		k.mu.Lock()
		k.restart = restart
		k.mu.Unlock()
		go func() {
			k.s.flush()
			close(k.done)
		}()
	})
}

func replyTypeOf(req string) string {
	if base, ok := cutSuffix(req, "_request"); ok {
		return base + "_reply"
	}
	return ""
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func errorReply(name, value string) map[string]any {
	return map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": []string{name + ": " + value}}
}

func (k *Kernel) kernelInfo() map[string]any {
	li := k.in.Info()
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "hwnas",
		"implementation_version": Version,
		"language_info":          li,
		"banner":                 li.Banner,
		"help_links":             []any{},
	}
}

// execute runs an execute_request: counter, execute_input echo, outputs,
// error or result, history, and abort of queued cells after an error.
func (k *Kernel) execute(ch channel, m *Message) (any, error) {
	req := struct {
		Code         string            `json:"code"`
		Silent       bool              `json:"silent"`
		AllowStdin   bool              `json:"allow_stdin"`
		StoreHistory *bool             `json:"store_history"`
		StopOnError  *bool             `json:"stop_on_error"`
		UserExpr     map[string]string `json:"user_expressions"`
	}{}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("execute_request content: %w", err)
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	stopOnError := req.StopOnError == nil || *req.StopOnError
	parent := m.HeaderRaw

	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	if store {
		k.count++
	}
	count := k.count
	k.cancel = cancel
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cancel = nil
		k.mu.Unlock()
		cancel()
	}()

	if !req.Silent {
		k.s.publish("execute_input", parent, map[string]any{"code": req.Code, "execution_count": count})
	}
	out := NewOutput(func(msgType string, content any) {
		if !req.Silent {
			k.s.publish(msgType, parent, content)
		}
	})
	if req.AllowStdin {
		out.input = func(prompt string, password bool) (string, error) { return k.requestInput(ctx, m, prompt, password) }
	}
	res, err := k.runCell(ctx, req.Code, out)
	entry := histEntry{line: count, input: req.Code}
	defer func() {
		if store {
			k.mu.Lock()
			k.hist = append(k.hist, entry)
			k.mu.Unlock()
		}
	}()
	if err != nil {
		ce := asCellError(err)
		if !req.Silent {
			k.s.publish("error", parent, map[string]any{"ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback})
		}
		entry.output = ce.Error()
		if stopOnError && ch == shellCh {
			k.abortPending = true // after the reply, by the executor
		}
		return map[string]any{"status": "error", "ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback, "execution_count": count}, nil
	}
	payload := []map[string]any{}
	if res != nil {
		if res.Payload != nil {
			payload = res.Payload
		}
		if res.Data != nil && !req.Silent {
			md := res.Metadata
			if md == nil {
				md = map[string]any{}
			}
			k.s.publish("execute_result", parent, map[string]any{"execution_count": count, "data": res.Data, "metadata": md})
			if t, ok := res.Data["text/plain"].(string); ok {
				entry.output = t
			}
		}
	}
	return map[string]any{"status": "ok", "execution_count": count, "user_expressions": k.userExpressions(ctx, req.UserExpr), "payload": payload}, nil
}

// ExpressionEvaluator is implemented by interpreters that can evaluate the
// user_expressions of an execute_request.
type ExpressionEvaluator interface {
	Evaluate(ctx context.Context, expr string) (map[string]any, error)
}

// userExpressions evaluates each expression after a successful cell.
func (k *Kernel) userExpressions(ctx context.Context, exprs map[string]string) map[string]any {
	out := map[string]any{}
	ev, ok := k.in.(ExpressionEvaluator)
	for name, expr := range exprs {
		if !ok {
			out[name] = errorReply("NotSupported", "this interpreter does not evaluate user expressions")
			continue
		}
		data, err := ev.Evaluate(ctx, expr)
		if err != nil {
			ce := asCellError(err)
			out[name] = map[string]any{"status": "error", "ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback}
			continue
		}
		out[name] = map[string]any{"status": "ok", "data": data, "metadata": map[string]any{}}
	}
	return out
}

// serveStdin hands input replies to the cell waiting for them.
func (k *Kernel) serveStdin(m *Message) {
	if m.Header.MsgType != "input_reply" {
		k.s.log.Printf("stdin: ignoring unexpected %s", m.Header.MsgType)
		return
	}
	select {
	case k.inputC <- m:
	default:
		k.s.log.Printf("stdin: dropped an input_reply nobody asked for")
	}
}

// requestInput sends input_request to the frontend that sent req, routed
// with its identities, and waits for the input_reply or an interrupt.
func (k *Kernel) requestInput(ctx context.Context, req *Message, prompt string, password bool) (string, error) {
	for len(k.inputC) > 0 { // a stale reply to an earlier, interrupted request
		<-k.inputC
	}
	k.s.reply(stdinCh, req, "input_request", map[string]any{"prompt": prompt, "password": password})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case m := <-k.inputC:
		var r struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(m.Content, &r); err != nil {
			return "", fmt.Errorf("input_reply content: %w", err)
		}
		return r.Value, nil
	}
}

// runCell calls the interpreter and turns a panic into a cell error, so a
// broken cell never takes the kernel down.
func (k *Kernel) runCell(ctx context.Context, code string, out *Output) (res *ExecResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &CellError{Name: "Panic", Value: fmt.Sprint(r), Traceback: []string{fmt.Sprintf("panic: %v", r)}}
		}
	}()
	return k.in.Execute(ctx, code, out)
}

// abortQueued answers every execute_request already queued on shell with an
// aborted reply, as ipykernel does after an error with stop_on_error. Only
// the requests queued when it starts: one a client sends after reading an
// aborted reply is a new request and runs.
func (k *Kernel) abortQueued() {
	for n := len(k.shellQ); n > 0; n-- {
		select {
		case m := <-k.shellQ:
			if m.Header.MsgType != "execute_request" {
				k.serve(shellCh, m)
				continue
			}
			k.s.publish("status", m.HeaderRaw, map[string]any{"execution_state": "busy"})
			k.mu.Lock()
			count := k.count
			k.mu.Unlock()
			k.s.reply(shellCh, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": count, "user_expressions": map[string]any{}, "payload": []any{}})
			k.s.publish("status", m.HeaderRaw, map[string]any{"execution_state": "idle"})
		default:
			return
		}
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
	if b > len(s) {
		b = len(s)
	}
	if b < 0 {
		b = 0
	}
	return utf8.RuneCountInString(s[:b])
}

func (k *Kernel) complete(m *Message) (any, error) {
	var req struct {
		Code      string `json:"code"`
		CursorPos *int   `json:"cursor_pos"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("complete_request content: %w", err)
	}
	cur := len(req.Code)
	if req.CursorPos != nil {
		cur = runeToByte(req.Code, *req.CursorPos)
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

func (k *Kernel) inspect(m *Message) (any, error) {
	var req struct {
		Code        string `json:"code"`
		CursorPos   *int   `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("inspect_request content: %w", err)
	}
	cur := len(req.Code)
	if req.CursorPos != nil {
		cur = runeToByte(req.Code, *req.CursorPos)
	}
	data, found := k.in.Inspect(req.Code, cur, req.DetailLevel)
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"status": "ok", "found": found, "data": data, "metadata": map[string]any{}}, nil
}

func (k *Kernel) isComplete(m *Message) (any, error) {
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

// history answers tail, range and search requests over this session's cells.
func (k *Kernel) history(m *Message) (any, error) {
	var req struct {
		Output     bool   `json:"output"`
		Raw        bool   `json:"raw"`
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
	k.mu.Lock()
	hist := append([]histEntry(nil), k.hist...)
	k.mu.Unlock()
	var sel []histEntry
	switch req.AccessType {
	case "tail", "":
		sel = hist
		if req.N > 0 && len(sel) > req.N {
			sel = sel[len(sel)-req.N:]
		}
	case "range":
		if req.Session > 0 && req.Session != currentSession {
			break // earlier sessions are not kept
		}
		for _, h := range hist {
			if h.line >= req.Start && (req.Stop <= 0 || h.line < req.Stop) {
				sel = append(sel, h)
			}
		}
	case "search":
		seen := map[string]bool{}
		for i := len(hist) - 1; i >= 0; i-- {
			h := hist[i]
			if req.Pattern != "" && !globMatch(req.Pattern, h.input) {
				continue
			}
			if req.Unique && seen[h.input] {
				continue
			}
			seen[h.input] = true
			sel = append([]histEntry{h}, sel...)
			if req.N > 0 && len(sel) >= req.N {
				break
			}
		}
	default:
		return nil, fmt.Errorf("history_request: hist_access_type %q: want tail, range or search", req.AccessType)
	}
	rows := make([]any, 0, len(sel))
	for _, h := range sel {
		if req.Output {
			var out any
			if h.output != "" {
				out = h.output
			}
			rows = append(rows, []any{currentSession, h.line, []any{h.input, out}})
		} else {
			rows = append(rows, []any{currentSession, h.line, h.input})
		}
	}
	return map[string]any{"status": "ok", "history": rows}, nil
}

// currentSession is the history session number of this process; earlier
// sessions are not stored.
const currentSession = 1

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
