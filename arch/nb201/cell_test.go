package nb201

import (
	"slices"
	"strings"
	"testing"
)

func TestCellStringRoundTrip(t *testing.T) {
	seen := make(map[string]bool, NumCells)
	for c := range NumCells {
		g, err := Genome(c)
		if err != nil {
			t.Fatal(err)
		}
		s, err := CellString(g)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseCell(s)
		if err != nil {
			t.Fatalf("ParseCell(%q): %v", s, err)
		}
		if !slices.Equal(back, g) {
			t.Fatalf("round trip of %v gave %v", g, back)
		}
		if c2, _ := Code(g); c2 != c {
			t.Fatalf("Code(Genome(%d)) = %d", c, c2)
		}
		if seen[s] {
			t.Fatalf("cell string %q repeats", s)
		}
		seen[s] = true
	}
}

func TestCellStringExample(t *testing.T) {
	// The example of the table's README (row idx 1).
	const want = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
	got, err := CellString([]int{OpConv3x3, OpConv3x3, OpAvgPool3x3, OpSkip, OpConv3x3, OpSkip})
	if err != nil || got != want {
		t.Fatalf("CellString = %q, %v; want %q", got, err, want)
	}
}

func TestParseCellErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "has 1 '+'-separated node groups, want 3"},
		{"|none~0|+|none~0|none~1|", "has 2 '+'-separated node groups, want 3"},
		{"none~0|+|none~0|none~1|+|none~0|none~1|none~2|", `node 1 group "none~0|" must start and end with '|'`},
		{"|none~0|+|none~0|+|none~0|none~1|none~2|", `node 2 group "|none~0|" has 1 edges, want 2`},
		{"|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", `node 1 edge "conv~0": unknown op "conv"`},
		{"|none0|+|none~0|none~1|+|none~0|none~1|none~2|", `node 1 edge "none0" lacks '~source'`},
		{"|none~0|+|none~1|none~0|+|none~0|none~1|none~2|", `node 2 edge "none~1": source "1", want 0`},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~02|", `node 3 edge "none~02": source "02", want 2`},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x", `node 3 group "|none~0|none~1|none~2|x" must start and end`},
	}
	for _, c := range cases {
		_, err := ParseCell(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseCell(%q) = %v, want error containing %q", c.in, err, c.want)
		}
	}
}

func TestGenomeErrors(t *testing.T) {
	cases := []struct {
		g    []int
		want string
	}{
		{[]int{0, 0, 0}, "has 3 genes, want 6"},
		{[]int{0, 0, 0, 5, 0, 0}, "gene 3 (edge 3<-0) is 5, want 0..4"},
		{[]int{0, -1, 0, 0, 0, 0}, "gene 1 (edge 2<-0) is -1"},
	}
	for _, c := range cases {
		if _, err := CellString(c.g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CellString(%v) = %v, want %q", c.g, err, c.want)
		}
	}
	if _, err := Genome(NumCells); err == nil {
		t.Error("Genome(NumCells) should fail")
	}
}

func FuzzParseCell(f *testing.F) {
	f.Add("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	f.Add("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	f.Add("|a~0|+||+|")
	f.Add("+++")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseCell(s)
		if err != nil {
			return
		}
		// Anything accepted is canonical: it prints back to itself.
		back, err := CellString(g)
		if err != nil {
			t.Fatalf("ParseCell(%q) accepted an invalid genome %v: %v", s, g, err)
		}
		if back != s {
			t.Fatalf("ParseCell(%q) = %v, which prints as %q", s, g, back)
		}
	})
}

// TestDescribe: results name a cell by its benchmark index and cell string,
// the two handles NAS-Bench-201 users look a cell up by.
func TestDescribe(t *testing.T) {
	g := []int{3, 0, 1, 3, 3, 1}
	row, err := LookupGenome(g)
	if err != nil {
		t.Fatal(err)
	}
	want := "#3477 |nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|nor_conv_3x3~1|skip_connect~2|"
	cell, _ := CellString(g)
	if got := (Space{}).Describe(g); got != want || row.Idx != 3477 || "#3477 "+cell != want {
		t.Errorf("Describe = %q (row %d, cell %s), want %q", got, row.Idx, cell, want)
	}
	if got := (Space{}).Describe([]int{9}); !strings.Contains(got, "genome") {
		t.Errorf("invalid genome described as %q", got)
	}
}
