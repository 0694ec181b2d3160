package store

import (
	"strings"
	"testing"
)

// A trial claimed by a live process cannot be claimed by another; released,
// or held by a process that died, it can.
func TestClaims(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e, err := a.Experiment("x", "spec", "h", 1)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := a.Claim(e.ID, 0); h != "" || err != nil {
		t.Fatalf("first claim: %q %v", h, err)
	}
	if h, err := a.Claim(e.ID, 0); h != "" || err != nil {
		t.Fatalf("claiming again what one holds: %q %v", h, err)
	}
	if h, _ := b.Claim(e.ID, 0); !strings.Contains(h, " pid ") {
		t.Fatalf("a claim held by a live process was taken (holder %q)", h)
	}
	a.Release(e.ID, 0)
	if h, _ := b.Claim(e.ID, 0); h != "" {
		t.Fatalf("a released claim is still held by %q", h)
	}
	if _, err := b.w.Exec(`UPDATE claims SET pid = 2147483646`); err != nil { // a process that does not exist
		t.Fatal(err)
	}
	if h, _ := a.Claim(e.ID, 0); h != "" {
		t.Fatalf("the claim of a dead process is still held by %q", h)
	}
}
