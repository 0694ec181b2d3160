package kernel

import (
	"io"
	"strings"
	"sync"
)

// streamWriter is the io.Writer yaegi writes a cell's stdout or stderr to.
// Writes are buffered and published as stream messages of the cell being run
// when flushed; output written while no cell runs is dropped.
type streamWriter struct {
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

func (w *streamWriter) Write(p []byte) (int, error) {
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
		w.flush()
	}
	return len(p), nil
}

// bind sets the cell output that flushes go to; nil drops output.
func (w *streamWriter) bind(out *Output) {
	w.flush()
	w.mu.Lock()
	w.out = out
	w.mu.Unlock()
}

// flush publishes the buffered text as one stream message.
func (w *streamWriter) flush() {
	w.mu.Lock()
	text := w.buf.String()
	w.buf.Reset()
	out := w.out
	w.mu.Unlock()
	if out != nil {
		out.Stream(w.name, text)
	}
}

// hold starts or stops holding back writes (yaegi prints panic frames to
// stderr; they belong in the traceback, not in a stream). Stopping returns
// what was held.
func (w *streamWriter) hold(on bool) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.holding = on
	s := w.held.String()
	w.held.Reset()
	return s
}

// write appends text to the buffer.
func (w *streamWriter) write(s string) {
	w.mu.Lock()
	w.buf.WriteString(s)
	w.mu.Unlock()
}

// stdinReader is the io.Reader yaegi reads a cell's stdin from (fmt.Scan and
// friends): each time its buffer is empty it asks the frontend for a line.
type stdinReader struct {
	mu  sync.Mutex
	out *Output
	buf []byte
}

func (r *stdinReader) bind(out *Output) {
	r.mu.Lock()
	r.out, r.buf = out, nil
	r.mu.Unlock()
}

func (r *stdinReader) Read(p []byte) (int, error) {
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
