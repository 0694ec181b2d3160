package nn

import "sync"

// arena recycles the buffers of the models a supernet builds one after
// another — a new child network for every training step and for every
// child it scores — so that each build reuses the memory the last one
// released instead of allocating (and the kernel zeroing) megabytes anew.
// Buffers are matched by exact length; a recycled one is cleared, as make
// would give it, unless the caller writes it before reading it (scratch).
type arena struct {
	mu    sync.Mutex
	free  map[int][][]float32
	bytes int64 // held in free
}

// arenaMaxBytes bounds what an arena holds between two builds.
const arenaMaxBytes = 512 << 20

// get returns a buffer of n values, zeroed when zero is set (or when new).
func (a *arena) get(n int, zero bool) []float32 {
	a.mu.Lock()
	list := a.free[n]
	if len(list) == 0 {
		a.mu.Unlock()
		return make([]float32, n)
	}
	b := list[len(list)-1]
	a.free[n] = list[:len(list)-1]
	a.bytes -= 4 * int64(n)
	a.mu.Unlock()
	if zero {
		clear(b)
	}
	return b
}

// put takes back buffers no longer used, as far as the bound allows.
func (a *arena) put(bufs [][]float32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.free == nil {
		a.free = map[int][][]float32{}
	}
	for _, b := range bufs {
		if a.bytes+4*int64(len(b)) > arenaMaxBytes {
			return
		}
		a.free[len(b)] = append(a.free[len(b)], b)
		a.bytes += 4 * int64(len(b))
	}
}

// release gives a model built on a supernet back its buffers; the model
// must not be used after it.
func (m *model) release() {
	if m.share == nil {
		return
	}
	m.share.bufs.put(m.owned)
	m.owned = nil
}
