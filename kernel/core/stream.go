package core

import (
	"io"
	"strings"
	"sync"
)

// StreamWriter is an io.Writer for a cell's stdout or stderr, such as the one
// an interpreter running in the kernel's process writes to. Writes are
// buffered and published as stream messages of the cell it is bound to when
// flushed; output written while it is bound to none is dropped.
type StreamWriter struct {
	name    string
	mu      sync.Mutex
	out     *Output
	buf     strings.Builder
	holding bool
	held    strings.Builder
}

// flushAt is the buffered size that triggers a flush before the next tick,
// so that a cell printing in a tight loop never holds much in memory.
const flushAt = 64 << 10

// NewStreamWriter returns a writer of the stream name ("stdout" or "stderr").
func NewStreamWriter(name string) *StreamWriter { return &StreamWriter{name: name} }

func (w *StreamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.holding {
		w.held.Write(p)
		w.mu.Unlock()
		return len(p), nil
	}
	w.buf.Write(p)
	full := w.buf.Len() >= flushAt
	w.mu.Unlock()
	if full {
		w.Flush()
	}
	return len(p), nil
}

// Bind flushes, then sets the cell output that flushes go to; nil drops
// output.
func (w *StreamWriter) Bind(out *Output) {
	w.Flush()
	w.mu.Lock()
	w.out = out
	w.mu.Unlock()
}

// Flush publishes the buffered text as one stream message.
func (w *StreamWriter) Flush() {
	w.mu.Lock()
	text := w.buf.String()
	w.buf.Reset()
	out := w.out
	w.mu.Unlock()
	if out != nil {
		out.Stream(w.name, text)
	}
}

// Hold starts or stops holding back writes: what an interpreter writes
// while it is held (yaegi prints panic frames to stderr) can go into a
// traceback rather than a stream. It returns what was held and forgets it.
func (w *StreamWriter) Hold(on bool) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.holding = on
	s := w.held.String()
	w.held.Reset()
	return s
}

// StdinReader is an io.Reader for a cell's stdin (fmt.Scan and friends):
// each time its buffer is empty it asks the frontend of the cell it is bound
// to for a line. Bound to none, it is at EOF. The zero value is unbound.
type StdinReader struct {
	mu  sync.Mutex
	out *Output
	buf []byte
}

// Bind sets the cell whose frontend lines are read from, dropping what is
// left of the previous cell's line.
func (r *StdinReader) Bind(out *Output) {
	r.mu.Lock()
	r.out, r.buf = out, nil
	r.mu.Unlock()
}

func (r *StdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		if r.out == nil {
			return 0, io.EOF
		}
		line, err := r.out.Input("", false)
		if err != nil {
			return 0, err
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
