package core

import (
	"context"
	"fmt"
	"io"
	"log"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/transport"
)

// kinds lists what was sent, as sent.String does.
func kinds(ms []sent) []string {
	var out []string
	for _, s := range ms {
		out = append(out, s.String())
	}
	return out
}

func TestExecuteOrderAndCounts(t *testing.T) {
	_, w, _ := startFake(t)
	const (
		busy, input, idle = "iopub:status:busy", "iopub:execute_input", "iopub:status:idle"
		reply             = "execute_reply"
	)
	tests := []struct {
		code   string
		extra  map[string]any
		status string
		count  float64
		sent   []string
	}{
		{"ok", nil, "ok", 1, []string{busy, input, reply, idle}},
		{"print hi", nil, "ok", 2, []string{busy, input, "iopub:stream", reply, idle}},
		{"result 42", nil, "ok", 3, []string{busy, input, "iopub:execute_result", reply, idle}},
		{"result quiet", map[string]any{"silent": true}, "ok", 3, []string{busy, reply, idle}},
		{"result unstored", map[string]any{"store_history": false}, "ok", 3, []string{busy, input, "iopub:execute_result", reply, idle}},
		{"fail boom", nil, "error", 4, []string{busy, input, "iopub:error", reply, idle}},
		{"error plain", nil, "error", 5, []string{busy, input, "iopub:error", reply, idle}},
		{"panic at the cell", nil, "error", 6, []string{busy, input, "iopub:error", reply, idle}},
		{"page the doc", nil, "ok", 7, []string{busy, input, reply, idle}},
	}
	for _, tt := range tests {
		ms := w.execute(tt.code, tt.extra)
		if got := kinds(ms); !reflect.DeepEqual(got, tt.sent) {
			t.Errorf("%q: sent %v, want %v", tt.code, got, tt.sent)
		}
		r := replyOf(t, ms).content
		if r["status"] != tt.status || r["execution_count"] != tt.count {
			t.Errorf("%q: reply %v, want status %s count %v", tt.code, r, tt.status, tt.count)
		}
		for _, s := range ms {
			switch s.msgType {
			case "execute_input", "execute_result":
				if s.content["execution_count"] != tt.count {
					t.Errorf("%q: %s %v, want count %v", tt.code, s.msgType, s.content, tt.count)
				}
			case "error":
				if !reflect.DeepEqual(s.content["traceback"], r["traceback"]) || s.content["ename"] != r["ename"] {
					t.Errorf("%q: error message %v and reply %v differ", tt.code, s.content, r)
				}
			}
		}
	}
	errs := map[string]string{"fail boom": "Fail: boom", "error plain": "Error: plain", "panic at the cell": "panic: at the cell"}
	for code, tb := range errs {
		r := replyOf(t, w.execute(code, map[string]any{"stop_on_error": false})).content
		if fmt.Sprint(r["traceback"]) != "["+tb+"]" {
			t.Errorf("%q: traceback %v, want [%s]", code, r["traceback"], tb)
		}
	}
	r := replyOf(t, w.execute("page the doc", nil)).content
	if fmt.Sprint(r["payload"]) != "[map[data:map[text/plain:the doc] source:page]]" {
		t.Errorf("payload %v", r["payload"])
	}
	r = replyOf(t, w.execute("ok", map[string]any{"user_expressions": map[string]any{"x": "a", "y": "bad"}})).content
	if ue := fmt.Sprint(r["user_expressions"]); ue != "map[x:map[data:map[text/plain:value of a] metadata:map[] status:ok] y:map[ename:NameError evalue:bad status:error traceback:[NameError: bad]]]" {
		t.Errorf("user_expressions %s", ue)
	}
}

func TestStatusAroundEveryRequest(t *testing.T) {
	_, w, _ := startFake(t)
	tests := []struct {
		msgType string
		content map[string]any
		sent    []string
	}{
		{"kernel_info_request", nil, []string{"kernel_info_reply"}},
		{"comm_info_request", nil, []string{"comm_info_reply"}},
		{"complete_request", map[string]any{"code": "x"}, []string{"complete_reply"}},
		{"inspect_request", map[string]any{"code": "x"}, []string{"inspect_reply"}},
		{"is_complete_request", map[string]any{"code": "x"}, []string{"is_complete_reply"}},
		{"history_request", map[string]any{}, []string{"history_reply"}},
		{"frobnicate_request", nil, []string{"frobnicate_reply"}},
		{"execute_request", map[string]any{"code": 42}, []string{"execute_reply"}},
		{"comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget"}, []string{"iopub:comm_close"}},
		{"comm_msg", map[string]any{"comm_id": "c1"}, nil},
		{"something_else", nil, nil},
	}
	for _, ch := range []transport.Channel{transport.Shell, transport.Control} {
		for _, tt := range tests {
			ms := w.exchange(w.send(ch, tt.msgType, tt.content))
			want := append(append([]string{"iopub:status:busy"}, tt.sent...), "iopub:status:idle")
			if got := kinds(ms); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %s: sent %v, want %v", tt.msgType, ch, got, want)
				continue
			}
			for _, s := range ms {
				if s.channel != "iopub" && s.channel != ch.String() {
					t.Errorf("%s on %s: reply on %s", tt.msgType, ch, s.channel)
				}
			}
		}
	}
	for _, s := range w.sent() {
		switch s.msgType {
		case "frobnicate_reply":
			if s.content["status"] != "error" || s.content["ename"] != "UnsupportedRequest" {
				t.Errorf("unsupported request: %v", s.content)
			}
		case "execute_reply":
			if s.content["status"] != "error" || s.content["ename"] != "BadRequest" {
				t.Errorf("execute with numeric code: %v", s.content)
			}
		case "kernel_info_reply":
			li, _ := s.content["language_info"].(map[string]any)
			if s.content["implementation"] != "hwnas" || s.content["protocol_version"] != transport.ProtocolVersion || s.content["banner"] != "fake banner" || li["name"] != "fake" {
				t.Errorf("kernel_info_reply %v", s.content)
			}
		case "comm_close":
			if s.content["comm_id"] != "c1" {
				t.Errorf("comm_close %v", s.content)
			}
		}
	}
}

// TestStopOnErrorAbortsQueued: a failed cell aborts the execute requests
// queued behind it, serves the other requests, and the next cell runs.
func TestStopOnErrorAbortsQueued(t *testing.T) {
	k, w, f := startFake(t)
	send := func(code string, extra map[string]any) string {
		return w.send(transport.Shell, "execute_request", executeContent(code, extra))
	}
	gate := send("gate", nil)
	f.awaitStart(t, "gate") // the queue fills behind it
	failed := send("fail boom", nil)
	b := send("result b", nil)
	info := w.send(transport.Shell, "kernel_info_request", nil)
	c := send("result c", nil)
	awaitQueued(t, k, 4)
	close(f.gate)
	want := map[string]string{gate: "ok", failed: "error", b: "aborted", c: "aborted"}
	for _, id := range []string{gate, failed, b, c} {
		if r := w.reply(id).content; r["status"] != want[id] {
			t.Errorf("reply %v, want %s", r, want[id])
		}
	}
	if got := kinds(w.exchange(b)); !reflect.DeepEqual(got, []string{"iopub:status:busy", "execute_reply", "iopub:status:idle"}) {
		t.Errorf("aborted cell: sent %v", got)
	}
	if r := w.reply(b).content; r["execution_count"] != 2.0 {
		t.Errorf("aborted cell: count %v, want 2, the failed cell's", r["execution_count"])
	}
	if r := w.reply(info); r.msgType != "kernel_info_reply" {
		t.Errorf("kernel_info queued behind a failed cell: %s", r.msgType)
	}
	if r := replyOf(t, w.execute("result d", nil)).content; r["status"] != "ok" || r["execution_count"] != 3.0 {
		t.Errorf("cell after the abort: %v", r)
	}

	// Without stop_on_error, nothing is aborted.
	f.gate = make(chan struct{})
	send("gate", nil)
	f.awaitStart(t, "gate")
	send("fail again", map[string]any{"stop_on_error": false})
	e := send("result e", nil)
	awaitQueued(t, k, 2)
	close(f.gate)
	if r := w.reply(e).content; r["status"] != "ok" {
		t.Errorf("cell queued behind a failure without stop_on_error: %v", r)
	}
}

// TestRequestAfterErrorReplyRuns: a cell a client sends as soon as it reads
// the reply of a failed cell is not aborted, however fast it arrives.
// TestInterruptAndControlWhileRunning (package kernel) once came back
// aborted on a loaded machine: the core looked at its queue after the reply
// went out, and the next cell was in it already.
func TestRequestAfterErrorReplyRuns(t *testing.T) {
	k, w, _ := startFake(t)
	next := make(chan string, 1)
	w.mu.Lock()
	w.onReply = func(s sent) {
		if s.msgType == "execute_reply" && s.content["status"] == "error" && len(next) == 0 {
			m := request("execute_request", executeContent("result after", nil))
			k.shellQ <- m // queued before Reply returns
			next <- m.Header.MsgID
		}
	}
	w.mu.Unlock()
	w.execute("fail boom", nil)
	if r := w.reply(<-next).content; r["status"] != "ok" {
		t.Errorf("cell sent after the error reply: %v, want ok", r)
	}
}

func TestInterrupt(t *testing.T) {
	k, w, f := startFake(t)
	k.Interrupt() // idle: nothing to interrupt
	id := w.send(transport.Shell, "execute_request", executeContent("wait", nil))
	f.awaitStart(t, "wait")
	// Control is served while the cell runs.
	if r := w.reply(w.send(transport.Control, "kernel_info_request", nil)); r.msgType != "kernel_info_reply" {
		t.Errorf("control while a cell runs: %s", r.msgType)
	}
	if r := w.reply(w.send(transport.Control, "interrupt_request", nil)); r.msgType != "interrupt_reply" || r.content["status"] != "ok" {
		t.Errorf("interrupt reply %s %v", r.msgType, r.content)
	}
	if r := w.reply(id).content; r["status"] != "error" || r["ename"] != "Interrupted" {
		t.Errorf("interrupted cell: %v", r)
	}
	if r := replyOf(t, w.execute("result after", nil)).content; r["status"] != "ok" {
		t.Errorf("cell after an interrupt: %v", r)
	}
}

func TestHistoryRequests(t *testing.T) {
	_, w, _ := startFake(t)
	w.execute("result one", nil)
	w.execute("ok", nil)
	w.execute("result two", map[string]any{"silent": true})
	w.execute("result three", map[string]any{"store_history": false})
	w.execute("fail bad", nil)
	tests := []struct {
		req  map[string]any
		want string
	}{
		{map[string]any{"hist_access_type": "tail", "n": 2, "output": true}, "[[1 2 [ok <nil>]] [1 3 [fail bad Fail: bad]]]"},
		{map[string]any{"hist_access_type": "tail", "n": 5, "output": true}, "[[1 1 [result one one]] [1 2 [ok <nil>]] [1 3 [fail bad Fail: bad]]]"},
		{map[string]any{"hist_access_type": "range", "session": 0, "start": 1, "stop": 3}, "[[1 1 result one] [1 2 ok]]"},
		{map[string]any{"hist_access_type": "range", "session": 1, "start": 3}, "[[1 3 fail bad]]"},
		{map[string]any{"hist_access_type": "range", "session": 2, "start": 1}, "[]"},
		{map[string]any{"hist_access_type": "search", "pattern": "*o*", "n": 1}, "[[1 2 ok]]"},
		{map[string]any{"hist_access_type": "search", "pattern": "result*"}, "[[1 1 result one]]"},
	}
	for _, tt := range tests {
		r := w.reply(w.send(transport.Shell, "history_request", tt.req)).content
		if got := fmt.Sprint(r["history"]); r["status"] != "ok" || got != tt.want {
			t.Errorf("%v: %v, want %s", tt.req, r, tt.want)
		}
	}
	if r := w.reply(w.send(transport.Shell, "history_request", map[string]any{"hist_access_type": "bogus"})).content; r["status"] != "error" {
		t.Errorf("bogus access type: %v", r)
	}
}

// TestCursorsAndRouting: complete and inspect cursors are code points on
// the wire and byte offsets for the interpreter; is_complete passes the
// interpreter's answer on, with an indent only when incomplete.
func TestCursorsAndRouting(t *testing.T) {
	_, w, _ := startFake(t)
	req := func(msgType string, content map[string]any) map[string]any {
		return w.reply(w.send(transport.Shell, msgType, content)).content
	}
	tests := []struct {
		msgType string
		content map[string]any
		want    string
	}{
		{"complete_request", map[string]any{"code": "héllo wör", "cursor_pos": 9}, "map[cursor_end:9 cursor_start:6 matches:[WÖR] metadata:map[] status:ok]"},
		{"complete_request", map[string]any{"code": "héllo wörld", "cursor_pos": 8}, "map[cursor_end:8 cursor_start:6 matches:[WÖ] metadata:map[] status:ok]"},
		{"complete_request", map[string]any{"code": "ça va"}, "map[cursor_end:5 cursor_start:3 matches:[VA] metadata:map[] status:ok]"},
		{"complete_request", map[string]any{"code": "none", "cursor_pos": 2}, "map[cursor_end:2 cursor_start:2 matches:[] metadata:map[] status:ok]"},
		{"inspect_request", map[string]any{"code": "héllo", "cursor_pos": 2, "detail_level": 1}, "map[data:map[text/plain:hé (detail 1)] found:true metadata:map[] status:ok]"},
		{"inspect_request", map[string]any{"code": ""}, "map[data:map[] found:false metadata:map[] status:ok]"},
		{"is_complete_request", map[string]any{"code": `a \`}, "map[indent:   status:incomplete]"},
		{"is_complete_request", map[string]any{"code": "bad"}, "map[status:invalid]"},
		{"is_complete_request", map[string]any{"code": "x"}, "map[status:complete]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(req(tt.msgType, tt.content)); got != tt.want {
			t.Errorf("%s %v: %s, want %s", tt.msgType, tt.content, got, tt.want)
		}
	}
}

func FuzzCursor(f *testing.F) {
	f.Add("héllo wörld", 3)
	f.Fuzz(func(t *testing.T, s string, pos int) {
		b := runeToByte(s, pos)
		if b < 0 || b > len(s) {
			t.Fatalf("runeToByte(%q, %d) = %d", s, pos, b)
		}
		if r := byteToRune(s, b); pos >= 0 && b < len(s) && r != pos {
			t.Fatalf("byteToRune(runeToByte(%q, %d)) = %d", s, pos, r)
		}
	})
}

func TestStdin(t *testing.T) {
	_, w, _ := startFake(t)
	id := w.send(transport.Shell, "execute_request", executeContent("input name?", map[string]any{"allow_stdin": true}))
	ir := w.await("input_request", func(log []sent) ([]sent, bool) {
		for _, s := range log {
			if s.msgType == "input_request" {
				return []sent{s}, true
			}
		}
		return nil, false
	})[0]
	if ir.channel != "stdin" || ir.parent != id || ir.content["prompt"] != "name?" {
		t.Errorf("input_request %+v, want one on stdin parented to %s", ir, id)
	}
	w.send(transport.Stdin, "input_reply", map[string]any{"value": "hwnas"})
	ms := w.exchange(id)
	if r := replyOf(t, ms).content; r["status"] != "ok" || ms[3].msgType != "stream" || ms[3].content["text"] != "hwnas" {
		t.Errorf("cell reading a line: %v, %v", ms, ms[3].content)
	}
	// Without allow_stdin, reading fails.
	r := replyOf(t, w.execute("input name?", nil)).content
	if r["status"] != "error" || !strings.Contains(fmt.Sprint(r["evalue"]), "allow_stdin") {
		t.Errorf("input without allow_stdin: %v", r)
	}
}

func TestShutdown(t *testing.T) {
	w, f := newFakeWire(t), newFakeInterp()
	k := New(w, f, log.New(io.Discard, "", 0))
	type result struct {
		restart bool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		restart, err := k.Run(context.Background())
		done <- result{restart, err}
	}()
	id := w.send(transport.Control, "shutdown_request", map[string]any{"restart": true})
	ms := w.exchange(id)
	if got := kinds(ms); !reflect.DeepEqual(got, []string{"iopub:status:busy", "shutdown_reply", "iopub:status:idle"}) {
		t.Errorf("shutdown: sent %v", got)
	}
	if r := replyOf(t, ms).content; r["status"] != "ok" || r["restart"] != true {
		t.Errorf("shutdown reply %v", r)
	}
	select {
	case r := <-done:
		if !r.restart || r.err != nil {
			t.Errorf("Run returned %v, %v; want a restart and no error", r.restart, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after shutdown_request")
	}
	if s := w.sent()[0]; s.String() != "iopub:status:starting" {
		t.Errorf("first message %v, want the starting status", s)
	}
}

// TestInterpreterSeesTheCount: the interpreter is told the cell's execution
// count, so that its errors can name the cell In [N] as the frontend does.
func TestInterpreterSeesTheCount(t *testing.T) {
	_, w, _ := startFake(t)
	w.execute("ok", nil)
	w.execute("ok", nil)
	for _, m := range w.execute("count", nil) {
		if m.msgType == "execute_result" {
			if got := m.content["data"].(map[string]any)["text/plain"]; got != "3" {
				t.Errorf("third cell sees count %v, want 3", got)
			}
			return
		}
	}
	t.Error("no execute_result")
}
