package kernel

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKernelInfoStatusAndSession(t *testing.T) {
	k, c := startKernel(t)
	var sessions []string
	for _, sock := range []struct {
		name string
		ch   chan *Message
	}{{"shell", c.shellC}, {"control", c.ctrlC}} {
		s := c.shell
		if sock.name == "control" {
			s = c.control
		}
		id := c.send(s, "kernel_info_request", map[string]any{})
		r := c.reply(sock.ch, id)
		if r.Header.MsgType != "kernel_info_reply" {
			t.Fatalf("%s: got %s", sock.name, r.Header.MsgType)
		}
		v := decode(t, r)
		if v["status"] != "ok" || v["protocol_version"] != ProtocolVersion || v["implementation"] != "hwnas" {
			t.Errorf("%s: kernel_info_reply %v", sock.name, v)
		}
		li, _ := v["language_info"].(map[string]any)
		if li["name"] != "hwnas" || li["file_extension"] != ".hwnas" {
			t.Errorf("language_info %v", li)
		}
		if got := types(c.outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("%s: iopub %v, want busy, idle", sock.name, got)
		}
		sessions = append(sessions, r.Header.Session)
		if r.Header.Version != ProtocolVersion || r.Header.Username == "" || r.Header.Date == "" || r.Header.MsgID == "" {
			t.Errorf("header %+v", r.Header)
		}
	}
	if sessions[0] != k.Session() || sessions[1] != k.Session() || k.Session() == c.session {
		t.Errorf("sessions %v, kernel %s, client %s: want one per-process kernel session", sessions, k.Session(), c.session)
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
		r, out := c.execute(tt.code, tt.extra)
		v := decode(t, r)
		if v["status"] != tt.status || v["execution_count"] != tt.count {
			t.Errorf("%q: reply status %v count %v, want %s %v (%v)", tt.code, v["status"], v["execution_count"], tt.status, tt.count, v)
		}
		if got := types(out); !reflect.DeepEqual(got, tt.iopub) {
			t.Errorf("%q: iopub %v, want %v", tt.code, got, tt.iopub)
		}
		for _, m := range out {
			mv := decode(t, m)
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
	c.execute("%%go\nvalue := 7", nil)
	c.execute("%%go\nvalue", nil)
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
		id := c.send(c.shell, tt.msgType, tt.content)
		r := c.reply(c.shellC, id)
		if want := strings.TrimSuffix(tt.msgType, "_request") + "_reply"; r.Header.MsgType != want {
			t.Errorf("%s: reply type %s", tt.msgType, r.Header.MsgType)
		}
		if err := tt.check(decode(t, r)); err != nil {
			t.Errorf("%s %v: %v", tt.msgType, tt.content, err)
		}
		if got := types(c.outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
			t.Errorf("%s: iopub %v", tt.msgType, got)
		}
	}
}

func TestInterruptAndControlWhileRunning(t *testing.T) {
	_, c := startKernel(t)
	c.execute("%%go\nimport \"time\"\nn := 0", nil)
	id := c.send(c.shell, "execute_request", map[string]any{"code": "%%go\nfor { n++; time.Sleep(time.Millisecond) }", "silent": false, "store_history": true, "stop_on_error": true})
	time.Sleep(200 * time.Millisecond)
	// Control is served while the cell runs.
	start := time.Now()
	ki := c.send(c.control, "kernel_info_request", map[string]any{})
	c.reply(c.ctrlC, ki)
	if d := time.Since(start); d > time.Second {
		t.Errorf("kernel_info on control took %v while a cell ran", d)
	}
	start = time.Now()
	ir := c.send(c.control, "interrupt_request", map[string]any{})
	if r := c.reply(c.ctrlC, ir); r.Header.MsgType != "interrupt_reply" || decode(t, r)["status"] != "ok" {
		t.Errorf("interrupt reply %v", r.Header.MsgType)
	}
	r := c.reply(c.shellC, id)
	if d := time.Since(start); d > time.Second {
		t.Errorf("interrupt took %v, want under 1s", d)
	}
	v := decode(t, r)
	if v["status"] != "error" || v["ename"] != "Interrupted" {
		t.Errorf("interrupted reply %v", v)
	}
	// Values computed before the interrupt are kept and the kernel serves on.
	_, out := c.execute("%%go\nn > 0", nil)
	found := false
	for _, m := range out {
		if m.Header.MsgType == "execute_result" {
			found = strings.Contains(string(m.Content), `"true"`)
		}
	}
	if !found {
		t.Errorf("after interrupt: %v", types(out))
	}
}

func TestStopOnErrorAbortsQueue(t *testing.T) {
	_, c := startKernel(t)
	content := func(code string) map[string]any {
		return map[string]any{"code": code, "silent": false, "store_history": true, "stop_on_error": true}
	}
	c.execute("%%go\nimport \"time\"", nil)
	a := c.send(c.shell, "execute_request", content("%%go\ntime.Sleep(300 * time.Millisecond)\npanic(\"x\")"))
	b := c.send(c.shell, "execute_request", content("%%go\n1"))
	if v := decode(t, c.reply(c.shellC, a)); v["status"] != "error" {
		t.Fatalf("first %v", v)
	}
	if v := decode(t, c.reply(c.shellC, b)); v["status"] != "aborted" {
		t.Errorf("queued cell after an error: %v, want aborted", v)
	}
	if v := decode(t, c.reply(c.shellC, c.send(c.shell, "execute_request", content("%%go\n2")))); v["status"] != "ok" {
		t.Errorf("cell after the abort: %v", v)
	}
}

func TestBadMessagesKeepKernelUp(t *testing.T) {
	_, c := startKernel(t)
	h, _ := json.Marshal(newHeader(c.session, "kernel_info_request"))
	good := func(sig []byte) [][]byte {
		return [][]byte{[]byte(delimiter), sig, h, []byte("{}"), []byte("{}"), []byte("{}")}
	}
	cases := map[string][][]byte{
		"wrong signature":  good([]byte("00ff")),
		"empty signature":  good([]byte{}),
		"no delimiter":     {h, []byte("{}")},
		"too few frames":   {[]byte(delimiter), c.signer.Sign(h), h},
		"header not json":  {[]byte(delimiter), c.signer.Sign([]byte("{"), []byte("{}"), []byte("{}"), []byte("{}")), []byte("{"), []byte("{}"), []byte("{}"), []byte("{}")},
		"content not json": {[]byte(delimiter), c.signer.Sign(h, []byte("{}"), []byte("{}"), []byte("[")), h, []byte("{}"), []byte("{}"), []byte("[")},
	}
	for name, frames := range cases {
		c.sendRaw(c.shell, frames...)
		c.sendRaw(c.control, frames...)
		select {
		case m := <-c.shellC:
			t.Errorf("%s: kernel answered %s", name, m.Header.MsgType)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Wrong content shapes get an error reply, not a crash.
	id := c.send(c.shell, "execute_request", map[string]any{"code": 42})
	if v := decode(t, c.reply(c.shellC, id)); v["status"] != "error" {
		t.Errorf("execute with numeric code: %v", v)
	}
	id = c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.reply(c.shellC, id); r.Header.MsgType != "kernel_info_reply" {
		t.Errorf("kernel did not survive bad messages")
	}
}

func TestHeartbeat(t *testing.T) {
	_, c := startKernel(t)
	ping := zmqMsg("ping-" + newUUID())
	if err := c.hb.Send(ping); err != nil {
		t.Fatal(err)
	}
	m, err := c.hb.Recv()
	if err != nil || string(m.Frames[0]) != string(ping.Frames[0]) {
		t.Fatalf("heartbeat echo %q, %v", m.Frames, err)
	}
}

func TestShutdown(t *testing.T) {
	k, c := startKernel(t)
	id := c.send(c.control, "shutdown_request", map[string]any{"restart": true})
	r := c.reply(c.ctrlC, id)
	if v := decode(t, r); v["status"] != "ok" || v["restart"] != true {
		t.Errorf("shutdown reply %v", v)
	}
	if got := types(c.outputs(id)); !reflect.DeepEqual(got, []string{"status:busy", "status:idle"}) {
		t.Errorf("shutdown iopub %v", got)
	}
	select {
	case <-k.done:
	case <-time.After(5 * time.Second):
		t.Fatal("kernel did not stop after shutdown_request")
	}
}

func TestStdin(t *testing.T) {
	_, c := startKernel(t)
	id := c.send(c.shell, "execute_request", map[string]any{"code": "%%go\nvar name string\nfmt.Scanln(&name)\nfmt.Println(\"hi\", name)", "allow_stdin": true, "store_history": true})
	req := recvOn(t, c.stdinC, "input_request", 5*time.Second)
	if req.Header.MsgType != "input_request" {
		t.Fatalf("got %s on stdin", req.Header.MsgType)
	}
	var p Header
	json.Unmarshal(req.Parent, &p)
	if p.MsgID != id {
		t.Errorf("input_request parent %s, want the execute_request %s", p.MsgID, id)
	}
	c.send(c.stdin, "input_reply", map[string]any{"value": "hwnas"})
	if v := decode(t, c.reply(c.shellC, id)); v["status"] != "ok" {
		t.Fatalf("reply %v", v)
	}
	if out := c.outputs(id); !strings.Contains(fmt.Sprint(contents(out)), "hi hwnas") {
		t.Errorf("outputs %v", contents(out))
	}
	// Without allow_stdin, reading input is an error in the cell, not a hang.
	r, _ := c.execute("%%go\n_, err := display.Input(\"?\")\nerr != nil", map[string]any{"allow_stdin": false})
	if v := decode(t, r); v["status"] != "ok" {
		t.Errorf("input without stdin: %v", v)
	}
}

func contents(ms []*Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Content))
	}
	return out
}

func TestUserExpressions(t *testing.T) {
	_, c := startKernel(t)
	r, _ := c.execute("%%go\ny := 6", map[string]any{"user_expressions": map[string]any{"double": "y * 2", "bad": "nope"}})
	ue := decode(t, r)["user_expressions"].(map[string]any)
	if d := ue["double"].(map[string]any); d["status"] != "ok" || fmt.Sprint(d["data"]) != "map[text/plain:12]" {
		t.Errorf("double: %v", d)
	}
	if b := ue["bad"].(map[string]any); b["status"] != "error" || b["ename"] == "" {
		t.Errorf("bad: %v", b)
	}
}

func TestCommOpenIsClosed(t *testing.T) {
	_, c := startKernel(t)
	id := c.send(c.shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget", "data": map[string]any{}})
	got := types(c.outputs(id))
	if !reflect.DeepEqual(got, []string{"status:busy", "comm_close", "status:idle"}) {
		t.Errorf("comm_open: iopub %v, want the comm closed", got)
	}
	if r := c.reply(c.shellC, c.send(c.shell, "kernel_info_request", map[string]any{})); r.Header.MsgType != "kernel_info_reply" {
		t.Error("no reply after comm_open")
	}
}
