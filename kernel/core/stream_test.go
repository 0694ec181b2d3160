package core

import (
	"encoding/json"
	"strings"
	"testing"
)

// record collects what a cell publishes.
type record struct{ msgs []string }

func (r *record) output() *Output {
	return NewOutput(func(msgType string, content any) {
		b, _ := json.Marshal(content)
		r.msgs = append(r.msgs, msgType+" "+string(b))
	})
}

func TestStreamWriterFlushesLargeOutput(t *testing.T) {
	var r record
	w := NewStreamWriter("stdout")
	w.Bind(r.output())
	chunk := strings.Repeat("x", 1000)
	for range 100 {
		w.Write([]byte(chunk))
	}
	if len(r.msgs) == 0 {
		t.Fatal("100 kB written and nothing flushed before the tick")
	}
	w.Flush()
	total := 0
	for _, m := range r.msgs {
		var c struct{ Text string }
		json.Unmarshal([]byte(strings.TrimPrefix(m, "stream ")), &c)
		total += len(c.Text)
	}
	if total != 100*1000 {
		t.Errorf("published %d bytes of output, want %d", total, 100*1000)
	}
}

func TestStreamWriterHoldAndBind(t *testing.T) {
	var r record
	w := NewStreamWriter("stderr")
	w.Write([]byte("dropped: bound to no cell\n"))
	w.Bind(r.output())
	w.Hold(true)
	w.Write([]byte("held"))
	if held := w.Hold(false); held != "held" {
		t.Errorf("Hold(false) = %q, want what was written while held", held)
	}
	w.Write([]byte("shown"))
	w.Bind(nil) // flushes first
	w.Write([]byte("dropped too"))
	w.Flush()
	if got := strings.Join(r.msgs, "|"); got != `stream {"name":"stderr","text":"shown"}` {
		t.Errorf("published %s", got)
	}
}

func TestStdinReader(t *testing.T) {
	var r StdinReader
	if n, err := r.Read(make([]byte, 4)); n != 0 || err == nil {
		t.Errorf("unbound: %d, %v; want EOF", n, err)
	}
	var prompts int
	out := NewOutput(func(string, any) {})
	out.input = func(prompt string, password bool) (string, error) { prompts++; return "hwnas", nil }
	r.Bind(out)
	buf := make([]byte, 4)
	var got []byte
	for len(got) < len("hwnas\n") {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "hwnas\n" || prompts != 1 {
		t.Errorf("read %q with %d input requests, want one line from one request", got, prompts)
	}
}
