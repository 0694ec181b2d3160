package nn

import (
	"sync"
	"sync/atomic"
	"time"
)

// flopsPerLoop is the floating-point operations of one fmaLoop iteration:
// 12 independent 8-wide fused multiply-adds (2 operations per lane), enough
// chains to cover the FMA latency on two ports (Intel's optimisation manual:
// latency 4-5 cycles, two FMA units since Haswell).
const flopsPerLoop = 12 * 8 * 2

// PeakGFLOPS measures the machine's FP32 peak on threads goroutines: each
// runs a loop of independent AVX2 fused multiply-adds (the portable build:
// the same chains in Go, which is what code without assembly can reach) for
// about d, and the rate is the operations of all of them over the wall time.
// Training speed divided by it says how much of the physical limit the
// engine reaches.
func PeakGFLOPS(threads int, d time.Duration) float64 {
	threads = max(threads, 1)
	var loops atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for range threads {
		wg.Go(func() {
			for !stop.Load() {
				fmaLoop(1 << 16)
				loops.Add(1 << 16)
			}
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	return float64(loops.Load()) * flopsPerLoop / time.Since(start).Seconds() / 1e9
}

// fmaLoopGo is fmaLoop in Go: 96 independent scalar multiply-add chains,
// as many operations per iteration as the vector loop.
func fmaLoopGo(n int) float32 {
	var acc [96]float32
	for i := range acc {
		acc[i] = float32(i)
	}
	const a, b = 0.9999, 1e-6
	for range n {
		for i := range acc {
			acc[i] = acc[i]*a + b
		}
	}
	var s float32
	for _, v := range acc {
		s += v
	}
	return s
}
