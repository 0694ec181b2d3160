package store

import (
	"bytes"
	"testing"
)

// TestSupernetHead: a stored supernet reads back whole or by its first
// bytes, and a store that never stored one answers "none" without writing.
func TestSupernetHead(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, ok, err := s.SupernetHead("k", 4); ok || err != nil {
		t.Fatalf("before any: ok %t, %v", ok, err)
	}
	w := []byte("hwnas-differentiable 1\n\x00\x01weights")
	if err := s.PutSupernet("k", 3, w); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n    int
		want []byte
	}{{5, w[:5]}, {len(w) + 10, w}, {0, []byte{}}} {
		ep, head, ok, err := s.SupernetHead("k", c.n)
		if err != nil || !ok || ep != 3 || !bytes.Equal(head, c.want) {
			t.Errorf("head %d: %d epochs, %q, %t, %v; want 3, %q", c.n, ep, head, ok, err, c.want)
		}
	}
	if ep, all, ok, err := s.Supernet("k"); err != nil || !ok || ep != 3 || !bytes.Equal(all, w) {
		t.Errorf("whole: %d, %q, %t, %v", ep, all, ok, err)
	}
}
