package kernel

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/core"
)

// BenchmarkExecuteRoundTrip measures execute_request → idle for a trivial
// %%go cell over the wire with the zmq4 test client, in process.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	_, c := startKernel(b)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		id := c.Send(c.Shell, "execute_request", map[string]any{"code": "%%go\n1 + 1", "silent": false, "store_history": true})
		c.Outputs(id)
		times = append(times, time.Since(start))
		c.Reply(c.ShellC, id)
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
}

// BenchmarkGoCell measures the interpreter alone on a trivial %%go cell.
func BenchmarkGoCell(b *testing.B) {
	s := newTestSession(b)
	out := core.NewOutput(func(string, any) {})
	for range b.N {
		if _, err := s.Execute(context.Background(), "%%go\n1 + 1", out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoBlockCell measures a cell whose top-level loop runs as a
// function of its own, and one whose x := s[i] is retyped after yaegi
// fails to compile it.
func BenchmarkGoBlockCell(b *testing.B) {
	for _, bc := range []struct{ name, code string }{
		{"loop", "%%go\nn := 0\nfor i := 0; i < 10; i++ { v, _ := strconv.Atoi(\"4\"); n += v }\nn"},
		{"index", "%%go\nq := hwnas.Platforms()[1]\nq.Name"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := newTestSession(b)
			out := core.NewOutput(func(string, any) {})
			if _, err := s.Execute(context.Background(), "%%go\nimport \"strconv\"", out); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				if _, err := s.Execute(context.Background(), bc.code, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
