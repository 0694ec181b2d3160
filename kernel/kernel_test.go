package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
	"github.com/hwnas/hwnas/kernel/transport"
)

// testKernel is a kernel serving a Session on free local ports.
type testKernel struct {
	srv     *transport.Server
	stopped chan struct{} // closed when Run has returned
}

// startKernel runs a kernel with a store of its own and connects a client;
// the test's cleanup stops both.
func startKernel(t testing.TB) (*testKernel, *kerneltest.Client) {
	t.Helper()
	return startKernelLimits(t, transport.DefaultLimits)
}

// startKernelLimits is startKernel holding peers to lim.
func startKernelLimits(t testing.TB, lim transport.Limits) (*testKernel, *kerneltest.Client) {
	t.Helper()
	conn := transport.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key-" + transport.NewUUID(), SignatureScheme: "hmac-sha256"}
	sess, err := NewSession(SessionOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	lg := log.New(io.Discard, "", 0)
	srv, err := transport.ListenLimits(conn, lg, lim)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tk := &testKernel{srv: srv, stopped: make(chan struct{})}
	go func() {
		defer close(tk.stopped)
		if _, err := core.New(srv, sess, lg).Run(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-tk.stopped
	})
	c := kerneltest.Dial(t, srv.Conn())
	c.WaitReady()
	return tk, c
}

func TestKernelInfoStatusAndSession(t *testing.T) {
	k, c := startKernel(t)
	var sessions []string
	for _, sock := range []struct {
		name string
		ch   chan *transport.Message
	}{{"shell", c.ShellC}, {"control", c.CtrlC}} {
		s := c.Shell
		if sock.name == "control" {
			s = c.Control
		}
		id := c.Send(s, "kernel_info_request", map[string]any{})
		r := c.Reply(sock.ch, id)
		if r.Header.MsgType != "kernel_info_reply" {
			t.Fatalf("%s: got %s", sock.name, r.Header.MsgType)
		}
		v := kerneltest.Decode(t, r)
		if v["status"] != "ok" || v["protocol_version"] != transport.ProtocolVersion || v["implementation"] != "hwnas" {
			t.Errorf("%s: kernel_info_reply %v", sock.name, v)
		}
		li, _ := v["language_info"].(map[string]any)
		if li["name"] != "hwnas" || li["file_extension"] != ".hwnas" {
			t.Errorf("language_info %v", li)
		}
		if got := kerneltest.Types(c.Outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("%s: iopub %v, want busy, idle", sock.name, got)
		}
		sessions = append(sessions, r.Header.Session)
		if r.Header.Version != transport.ProtocolVersion || r.Header.Username == "" || r.Header.Date == "" || r.Header.MsgID == "" {
			t.Errorf("header %+v", r.Header)
		}
	}
	if sessions[0] != k.srv.Session() || sessions[1] != k.srv.Session() || k.srv.Session() == c.Session {
		t.Errorf("sessions %v, kernel %s, client %s: want one per-process kernel session", sessions, k.srv.Session(), c.Session)
	}
}

func TestExecuteOrderAndCounts(t *testing.T) {
	_, c := startKernel(t)
	tests := []struct {
		code   string
		extra  map[string]any
		status string
		count  float64
		iopub  []string
		result string
	}{
		{"%%go\nx := 40", nil, "ok", 1, []string{"status:busy", "execute_input", "status:idle"}, ""},
		{"%%go\nx + 2", nil, "ok", 2, []string{"status:busy", "execute_input", "execute_result", "status:idle"}, "42"},
		{"%%go\nfmt.Println(\"hello, world\")", nil, "ok", 3, []string{"status:busy", "execute_input", "stream", "status:idle"}, ""},
		{"%%go\nx", map[string]any{"silent": true}, "ok", 3, []string{"status:busy", "status:idle"}, ""},
		{"%%go\nx", map[string]any{"store_history": false}, "ok", 3, []string{"status:busy", "execute_input", "execute_result", "status:idle"}, "40"},
		{"%%go\npanic(\"boom\")", nil, "error", 4, []string{"status:busy", "execute_input", "error", "status:idle"}, ""},
		{"%%go\nx * 2", nil, "ok", 5, []string{"status:busy", "execute_input", "execute_result", "status:idle"}, "80"},
		{"%%go\ndisplay.HTML(\"<b>hi</b>\")", nil, "ok", 6, []string{"status:busy", "execute_input", "display_data", "status:idle"}, ""},
		{"%%go\nvar s = \"a\"\ns", nil, "ok", 7, []string{"status:busy", "execute_input", "execute_result", "status:idle"}, `"a"`},
		{"%nope", nil, "error", 8, []string{"status:busy", "execute_input", "error", "status:idle"}, ""},
		{"", nil, "ok", 9, []string{"status:busy", "execute_input", "status:idle"}, ""},
	}
	for _, tt := range tests {
		r, out := c.Execute(tt.code, tt.extra)
		v := kerneltest.Decode(t, r)
		if v["status"] != tt.status || v["execution_count"] != tt.count {
			t.Errorf("%q: reply status %v count %v, want %s %v (%v)", tt.code, v["status"], v["execution_count"], tt.status, tt.count, v)
		}
		if got := kerneltest.Types(out); !reflect.DeepEqual(got, tt.iopub) {
			t.Errorf("%q: iopub %v, want %v", tt.code, got, tt.iopub)
		}
		for _, m := range out {
			mv := kerneltest.Decode(t, m)
			switch m.Header.MsgType {
			case "execute_input":
				if mv["code"] != tt.code || mv["execution_count"] != tt.count {
					t.Errorf("%q: execute_input %v", tt.code, mv)
				}
			case "execute_result":
				data := mv["data"].(map[string]any)
				if data["text/plain"] != tt.result || mv["execution_count"] != tt.count {
					t.Errorf("%q: execute_result %v, want %q", tt.code, mv, tt.result)
				}
			case "error":
				if tb, ok := mv["traceback"].([]any); !ok || len(tb) == 0 {
					t.Errorf("%q: error without traceback: %v", tt.code, mv)
				}
			case "stream":
				if mv["name"] != "stdout" || mv["text"] != "hello, world\n" {
					t.Errorf("%q: stream %v", tt.code, mv)
				}
			}
		}
		if tt.status == "error" {
			for _, key := range []string{"ename", "evalue", "traceback"} {
				if _, ok := v[key]; !ok {
					t.Errorf("%q: error reply without %s", tt.code, key)
				}
			}
		}
	}
}

func TestRequests(t *testing.T) {
	_, c := startKernel(t)
	c.Execute("%%go\nvalue := 7", nil)
	c.Execute("%%go\nvalue", nil)
	tests := []struct {
		msgType string
		content map[string]any
		check   func(v map[string]any) error
	}{
		{"complete_request", map[string]any{"code": "%%go\nfmt.Prin", "cursor_pos": 12}, func(v map[string]any) error {
			if fmt.Sprint(v["matches"]) != "[Print Printf Println]" || v["cursor_start"] != 9.0 || v["cursor_end"] != 12.0 {
				return fmt.Errorf("complete %v", v)
			}
			return nil
		}},
		{"complete_request", map[string]any{"code": "%%go\nval", "cursor_pos": 8}, func(v map[string]any) error {
			if fmt.Sprint(v["matches"]) != "[value]" {
				return fmt.Errorf("complete %v", v)
			}
			return nil
		}},
		{"complete_request", map[string]any{"code": "%pla", "cursor_pos": 4}, func(v map[string]any) error {
			if fmt.Sprint(v["matches"]) != "[%platforms]" || v["cursor_start"] != 0.0 {
				return fmt.Errorf("complete %v", v)
			}
			return nil
		}},
		{"inspect_request", map[string]any{"code": "%%go\nvalue", "cursor_pos": 7, "detail_level": 0}, func(v map[string]any) error {
			if v["found"] != true || !strings.Contains(fmt.Sprint(v["data"]), "int = 7") {
				return fmt.Errorf("inspect %v", v)
			}
			return nil
		}},
		{"inspect_request", map[string]any{"code": "%%go\nnosuchname", "cursor_pos": 9, "detail_level": 0}, func(v map[string]any) error {
			if v["found"] != false {
				return fmt.Errorf("inspect %v", v)
			}
			return nil
		}},
		{"is_complete_request", map[string]any{"code": "%%go\nfunc f() {"}, func(v map[string]any) error {
			if v["status"] != "incomplete" {
				return fmt.Errorf("is_complete %v", v)
			}
			return nil
		}},
		{"is_complete_request", map[string]any{"code": "%%go\nx := 1"}, func(v map[string]any) error {
			if v["status"] != "complete" {
				return fmt.Errorf("is_complete %v", v)
			}
			return nil
		}},
		{"is_complete_request", map[string]any{"code": "%%go\n}"}, func(v map[string]any) error {
			if v["status"] != "invalid" {
				return fmt.Errorf("is_complete %v", v)
			}
			return nil
		}},
		{"history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": false, "raw": true}, func(v map[string]any) error {
			if fmt.Sprint(v["history"]) != "[[1 2 %%go\nvalue]]" {
				return fmt.Errorf("history %v", v)
			}
			return nil
		}},
		{"history_request", map[string]any{"hist_access_type": "range", "session": 0, "start": 1, "stop": 2, "output": true, "raw": true}, func(v map[string]any) error {
			if fmt.Sprint(v["history"]) != "[[1 1 [%%go\nvalue := 7 <nil>]]]" {
				return fmt.Errorf("history %v", v)
			}
			return nil
		}},
		{"history_request", map[string]any{"hist_access_type": "search", "pattern": "*value", "n": 5, "unique": true, "output": false, "raw": true}, func(v map[string]any) error {
			if fmt.Sprint(v["history"]) != "[[1 2 %%go\nvalue]]" {
				return fmt.Errorf("history %v", v)
			}
			return nil
		}},
		{"history_request", map[string]any{"hist_access_type": "bogus"}, func(v map[string]any) error {
			if v["status"] != "error" {
				return fmt.Errorf("history %v", v)
			}
			return nil
		}},
		{"comm_info_request", map[string]any{}, func(v map[string]any) error {
			if v["status"] != "ok" || fmt.Sprint(v["comms"]) != "map[]" {
				return fmt.Errorf("comm_info %v", v)
			}
			return nil
		}},
		{"frobnicate_request", map[string]any{}, func(v map[string]any) error {
			if v["status"] != "error" {
				return fmt.Errorf("unknown request %v", v)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		id := c.Send(c.Shell, tt.msgType, tt.content)
		r := c.Reply(c.ShellC, id)
		if want := strings.TrimSuffix(tt.msgType, "_request") + "_reply"; r.Header.MsgType != want {
			t.Errorf("%s: reply type %s", tt.msgType, r.Header.MsgType)
		}
		if err := tt.check(kerneltest.Decode(t, r)); err != nil {
			t.Errorf("%s %v: %v", tt.msgType, tt.content, err)
		}
		if got := kerneltest.Types(c.Outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("%s: iopub %v", tt.msgType, got)
		}
	}
}

func TestInterruptAndControlWhileRunning(t *testing.T) {
	_, c := startKernel(t)
	c.Execute("%%go\nimport \"time\"\nn := 0", nil)
	// The cell says when it runs: an interrupt that came before it started
	// would be lost, and n would still be 0.
	id := c.Send(c.Shell, "execute_request", map[string]any{"code": "%%go\nfor { n++; if n == 1 { fmt.Println(\"running\") }; time.Sleep(time.Millisecond) }", "silent": false, "store_history": true, "stop_on_error": true})
	for {
		m := kerneltest.RecvOn(t, c.PubC, "the cell's output", 10*time.Second)
		if m.Header.MsgType == "stream" && strings.Contains(string(m.Parent), id) {
			break
		}
	}
	// Control is served while the cell runs.
	start := time.Now()
	ki := c.Send(c.Control, "kernel_info_request", map[string]any{})
	c.Reply(c.CtrlC, ki)
	if d := time.Since(start); d > time.Second {
		t.Errorf("kernel_info on control took %v while a cell ran", d)
	}
	start = time.Now()
	ir := c.Send(c.Control, "interrupt_request", map[string]any{})
	if r := c.Reply(c.CtrlC, ir); r.Header.MsgType != "interrupt_reply" || kerneltest.Decode(t, r)["status"] != "ok" {
		t.Errorf("interrupt reply %v", r.Header.MsgType)
	}
	r := c.Reply(c.ShellC, id)
	if d := time.Since(start); d > time.Second {
		t.Errorf("interrupt took %v, want under 1s", d)
	}
	v := kerneltest.Decode(t, r)
	if v["status"] != "error" || v["ename"] != "Interrupted" {
		t.Errorf("interrupted reply %v", v)
	}
	// Values computed before the interrupt are kept and the kernel serves
	// on: the failed cell aborts only what was queued when it failed, not a
	// cell sent after its reply (this once raced the abort on a loaded
	// machine and came back aborted).
	_, out := c.Execute("%%go\nn > 0", nil)
	found := false
	for _, m := range out {
		if m.Header.MsgType == "execute_result" {
			found = strings.Contains(string(m.Content), `"true"`)
		}
	}
	if !found {
		t.Errorf("after interrupt: %v", kerneltest.Types(out))
	}
}

func TestStopOnErrorAbortsQueue(t *testing.T) {
	_, c := startKernel(t)
	content := func(code string) map[string]any {
		return map[string]any{"code": code, "silent": false, "store_history": true, "stop_on_error": true}
	}
	c.Execute("%%go\nimport \"time\"", nil)
	a := c.Send(c.Shell, "execute_request", content("%%go\ntime.Sleep(300 * time.Millisecond)\npanic(\"x\")"))
	b := c.Send(c.Shell, "execute_request", content("%%go\n1"))
	if v := kerneltest.Decode(t, c.Reply(c.ShellC, a)); v["status"] != "error" {
		t.Fatalf("first %v", v)
	}
	if v := kerneltest.Decode(t, c.Reply(c.ShellC, b)); v["status"] != "aborted" {
		t.Errorf("queued cell after an error: %v, want aborted", v)
	}
	if v := kerneltest.Decode(t, c.Reply(c.ShellC, c.Send(c.Shell, "execute_request", content("%%go\n2")))); v["status"] != "ok" {
		t.Errorf("cell after the abort: %v", v)
	}
}

func TestShutdown(t *testing.T) {
	k, c := startKernel(t)
	id := c.Send(c.Control, "shutdown_request", map[string]any{"restart": true})
	r := c.Reply(c.CtrlC, id)
	if v := kerneltest.Decode(t, r); v["status"] != "ok" || v["restart"] != true {
		t.Errorf("shutdown reply %v", v)
	}
	if got := kerneltest.Types(c.Outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
		t.Errorf("shutdown iopub %v", got)
	}
	select {
	case <-k.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("kernel did not stop after shutdown_request")
	}
}

func TestStdin(t *testing.T) {
	_, c := startKernel(t)
	id := c.Send(c.Shell, "execute_request", map[string]any{"code": "%%go\nvar name string\nfmt.Scanln(&name)\nfmt.Println(\"hi\", name)", "allow_stdin": true, "store_history": true})
	req := kerneltest.RecvOn(t, c.StdinC, "input_request", 5*time.Second)
	if req.Header.MsgType != "input_request" {
		t.Fatalf("got %s on stdin", req.Header.MsgType)
	}
	var p transport.Header
	json.Unmarshal(req.Parent, &p)
	if p.MsgID != id {
		t.Errorf("input_request parent %s, want the execute_request %s", p.MsgID, id)
	}
	c.Send(c.Stdin, "input_reply", map[string]any{"value": "hwnas"})
	if v := kerneltest.Decode(t, c.Reply(c.ShellC, id)); v["status"] != "ok" {
		t.Fatalf("reply %v", v)
	}
	if out := c.Outputs(id); !strings.Contains(fmt.Sprint(contents(out)), "hi hwnas") {
		t.Errorf("outputs %v", contents(out))
	}
	// Without allow_stdin, reading input is an error in the cell, not a hang.
	r, _ := c.Execute("%%go\n_, err := display.Input(\"?\")\nerr != nil", map[string]any{"allow_stdin": false})
	if v := kerneltest.Decode(t, r); v["status"] != "ok" {
		t.Errorf("input without stdin: %v", v)
	}
}

func contents(ms []*transport.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Content))
	}
	return out
}

func TestUserExpressions(t *testing.T) {
	_, c := startKernel(t)
	r, _ := c.Execute("%%go\ny := 6", map[string]any{"user_expressions": map[string]any{"double": "y * 2", "bad": "nope"}})
	ue := kerneltest.Decode(t, r)["user_expressions"].(map[string]any)
	if d := ue["double"].(map[string]any); d["status"] != "ok" || fmt.Sprint(d["data"]) != "map[text/plain:12]" {
		t.Errorf("double: %v", d)
	}
	if b := ue["bad"].(map[string]any); b["status"] != "error" || b["ename"] == "" {
		t.Errorf("bad: %v", b)
	}
}

func TestCommOpenIsClosed(t *testing.T) {
	_, c := startKernel(t)
	id := c.Send(c.Shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget", "data": map[string]any{}})
	got := kerneltest.Types(c.Outputs(id))
	if !reflect.DeepEqual(got, []string{"status:busy", "comm_close", "status:idle"}) {
		t.Errorf("comm_open: iopub %v, want the comm closed", got)
	}
	if r := c.Reply(c.ShellC, c.Send(c.Shell, "kernel_info_request", map[string]any{})); r.Header.MsgType != "kernel_info_reply" {
		t.Error("no reply after comm_open")
	}
}
