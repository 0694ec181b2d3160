package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/transport"
)

// sent is one message the core sent: a reply on a channel, or an IOPub
// message (channel "iopub").
type sent struct {
	channel string
	msgType string
	parent  string // msg_id of the parent request
	content map[string]any
}

// String is "TYPE" for a reply, "iopub:TYPE" or "iopub:status:STATE" for IOPub.
func (s sent) String() string {
	if s.channel != "iopub" {
		return s.msgType
	}
	if s.msgType == "status" {
		return "iopub:status:" + fmt.Sprint(s.content["execution_state"])
	}
	return "iopub:" + s.msgType
}

// fakeWire is a Transport in memory: requests go in through send, and every
// reply and IOPub message is logged in the order the core sent it.
type fakeWire struct {
	t      *testing.T
	in     [3]chan *transport.Message
	closed chan struct{}
	once   sync.Once

	mu      sync.Mutex
	log     []sent
	changed chan struct{} // closed and replaced at each message logged
	onReply func(sent)    // called with each reply before Reply returns
	queued  int           // IOPub messages published since the last Flush
}

func newFakeWire(t *testing.T) *fakeWire {
	w := &fakeWire{t: t, closed: make(chan struct{}), changed: make(chan struct{})}
	for i := range w.in {
		w.in[i] = make(chan *transport.Message, 100)
	}
	return w
}

func (w *fakeWire) Recv(ch transport.Channel) (*transport.Message, error) {
	select {
	case m := <-w.in[ch]:
		return m, nil
	case <-w.closed:
		return nil, errors.New("closed")
	}
}

func (w *fakeWire) Reply(ch transport.Channel, req *transport.Message, msgType string, content any) {
	w.mu.Lock()
	if w.queued > 0 {
		w.t.Errorf("%s %s sent with %d IOPub messages queued before it and not flushed", ch, msgType, w.queued)
	}
	w.mu.Unlock()
	s := w.record(ch.String(), msgType, req.HeaderRaw, content)
	w.mu.Lock()
	hook := w.onReply
	w.mu.Unlock()
	if hook != nil {
		hook(s)
	}
}

func (w *fakeWire) Publish(msgType string, parent json.RawMessage, content any) {
	w.record("iopub", msgType, parent, content)
	w.mu.Lock()
	w.queued++
	w.mu.Unlock()
}

func (w *fakeWire) Flush() {
	w.mu.Lock()
	w.queued = 0
	w.mu.Unlock()
}

func (w *fakeWire) Close() { w.once.Do(func() { close(w.closed) }) }

// record logs a message with its content as JSON would carry it.
func (w *fakeWire) record(channel, msgType string, parent json.RawMessage, content any) sent {
	var p transport.Header
	json.Unmarshal(parent, &p)
	b, err := json.Marshal(content)
	if err != nil {
		w.t.Errorf("%s %s: content does not marshal: %v", channel, msgType, err)
	}
	s := sent{channel: channel, msgType: msgType, parent: p.MsgID}
	json.Unmarshal(b, &s.content)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.log = append(w.log, s)
	close(w.changed)
	w.changed = make(chan struct{})
	return s
}

// request builds a request message.
func request(msgType string, content any) *transport.Message {
	h := transport.NewHeader("client", msgType)
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(content)
	return &transport.Message{Header: h, HeaderRaw: hb, Parent: json.RawMessage("{}"), Metadata: json.RawMessage("{}"), Content: cb}
}

// send queues a request on a channel and returns its msg_id.
func (w *fakeWire) send(ch transport.Channel, msgType string, content any) string {
	m := request(msgType, content)
	w.in[ch] <- m
	return m.Header.MsgID
}

// await waits until done holds for the log and returns what it returns.
func (w *fakeWire) await(what string, done func([]sent) ([]sent, bool)) []sent {
	w.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		got, ok := done(w.log)
		changed := w.changed
		w.mu.Unlock()
		if ok {
			return got
		}
		select {
		case <-changed:
		case <-deadline:
			w.t.Fatalf("no %s within 10s; sent: %v", what, w.sent())
		}
	}
}

// reply waits for the reply to id.
func (w *fakeWire) reply(id string) sent {
	w.t.Helper()
	return w.await("reply to "+id, func(log []sent) ([]sent, bool) {
		for _, s := range log {
			if s.parent == id && s.channel != "iopub" && s.msgType != "input_request" {
				return []sent{s}, true
			}
		}
		return nil, false
	})[0]
}

// exchange waits for the idle status of id and returns everything parented
// to id: IOPub messages and the reply, in the order sent.
func (w *fakeWire) exchange(id string) []sent {
	w.t.Helper()
	return w.await("idle status of "+id, func(log []sent) ([]sent, bool) {
		var out []sent
		for _, s := range log {
			if s.parent == id {
				out = append(out, s)
				if s.String() == "iopub:status:idle" {
					return out, true
				}
			}
		}
		return nil, false
	})
}

// sent returns a copy of the log.
func (w *fakeWire) sent() []sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sent(nil), w.log...)
}

// fakeInterp is an Interpreter whose cells are commands:
//
//	ok             nothing
//	print TEXT     TEXT on stdout
//	result TEXT    an execute_result of TEXT
//	fail TEXT      a CellError named Fail
//	error TEXT     a plain error
//	panic TEXT     a panic
//	gate           waits for the test to open the gate
//	wait           runs until interrupted
//	input PROMPT   asks for a line and prints it
//	page TEXT      a pager payload
type fakeInterp struct {
	started chan string   // each cell's code as it starts
	gate    chan struct{} // what gate waits for
}

func newFakeInterp() *fakeInterp {
	return &fakeInterp{started: make(chan string, 100), gate: make(chan struct{})}
}

// awaitStart waits until the cell code starts.
func (f *fakeInterp) awaitStart(t *testing.T, code string) {
	t.Helper()
	for {
		select {
		case c := <-f.started:
			if c == code {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("cell %q did not start", code)
		}
	}
}

// awaitQueued waits until k's execution queue holds n requests: a request
// the fake wire has handed over may not be queued yet, and a cell that
// fails aborts only the queued ones.
func awaitQueued(t *testing.T, k *Kernel, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(k.shellQ) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued after 10 s, want %d", len(k.shellQ), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *fakeInterp) Info() LanguageInfo {
	return LanguageInfo{Name: "fake", Version: "1", Mimetype: "text/x-fake", FileExtension: ".fake", Banner: "fake banner"}
}

func (f *fakeInterp) Execute(ctx context.Context, code string, out *Output) (*ExecResult, error) {
	f.started <- code
	verb, arg, _ := strings.Cut(code, " ")
	switch verb {
	case "ok":
	case "print":
		out.Stream("stdout", arg)
	case "result":
		return &ExecResult{Data: map[string]any{"text/plain": arg}}, nil
	case "count":
		return &ExecResult{Data: map[string]any{"text/plain": fmt.Sprint(out.Count)}}, nil
	case "fail":
		return nil, &CellError{Name: "Fail", Value: arg}
	case "error":
		return nil, errors.New(arg)
	case "panic":
		panic(arg)
	case "gate":
		<-f.gate
	case "wait":
		<-ctx.Done()
		return nil, ctx.Err()
	case "input":
		s, err := out.Input(arg, false)
		if err != nil {
			return nil, err
		}
		out.Stream("stdout", s)
	case "page":
		return &ExecResult{Payload: []map[string]any{{"source": "page", "data": map[string]any{"text/plain": arg}}}}, nil
	default:
		return nil, fmt.Errorf("fake interpreter: unknown command %q", code)
	}
	return nil, nil
}

// Complete proposes the code before the cursor, upper-cased, replacing the
// last word; "none" has no matches.
func (f *fakeInterp) Complete(code string, cursor int) Completion {
	if code == "none" {
		return Completion{}
	}
	start := strings.LastIndexByte(code[:cursor], ' ') + 1
	return Completion{Matches: []string{strings.ToUpper(code[start:cursor])}, CursorStart: start, CursorEnd: cursor}
}

// Inspect documents the code before the cursor; empty code is not found.
func (f *fakeInterp) Inspect(code string, cursor, detail int) (map[string]any, bool) {
	if code == "" {
		return nil, false
	}
	return map[string]any{"text/plain": fmt.Sprintf("%s (detail %d)", code[:cursor], detail)}, true
}

// IsComplete: a trailing backslash continues, "bad" is invalid.
func (f *fakeInterp) IsComplete(code string) (string, string) {
	switch {
	case strings.HasSuffix(code, `\`):
		return "incomplete", "  "
	case code == "bad":
		return "invalid", ""
	}
	return "complete", ""
}

// Evaluate makes the fake an ExpressionEvaluator: "bad" fails.
func (f *fakeInterp) Evaluate(_ context.Context, expr string) (map[string]any, error) {
	if expr == "bad" {
		return nil, &CellError{Name: "NameError", Value: "bad"}
	}
	return map[string]any{"text/plain": "value of " + expr}, nil
}

// startFake runs a kernel core on a fake wire with a fake interpreter until
// the test ends.
func startFake(t *testing.T) (*Kernel, *fakeWire, *fakeInterp) {
	t.Helper()
	w, f := newFakeWire(t), newFakeInterp()
	k := New(w, f, log.New(io.Discard, "", 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return k, w, f
}

// executeContent is an execute_request's content with extra fields set.
func executeContent(code string, extra map[string]any) map[string]any {
	c := map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// execute sends an execute_request on shell and returns everything sent
// for it, through its idle status.
func (w *fakeWire) execute(code string, extra map[string]any) []sent {
	w.t.Helper()
	return w.exchange(w.send(transport.Shell, "execute_request", executeContent(code, extra)))
}

// replyOf returns the reply among the messages of an exchange.
func replyOf(t *testing.T, ms []sent) sent {
	t.Helper()
	for _, s := range ms {
		if s.channel != "iopub" && s.msgType != "input_request" {
			return s
		}
	}
	t.Fatalf("no reply among %v", ms)
	return sent{}
}
