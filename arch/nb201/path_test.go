package nb201

import (
	"slices"
	"testing"
)

func TestPathEncoding(t *testing.T) {
	for _, tc := range []struct {
		cell  string
		paths map[int]float64 // feature index -> count
	}{
		// Only the 0→3 edge is live: one path of one skip (feature 0).
		{"|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|", map[int]float64{0: 1}},
		// Every edge conv3x3 (op 3, code 2): 0→3, two 2-edge paths sharing a
		// feature, and the 3-edge path.
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
			map[int]float64{2: 1, 4 + 2*4 + 2: 2, 20 + 2*16 + 2*4 + 2: 1}},
		// 0→1 avg pool, 1→3 conv1x1: one 2-edge path (codes 3, 1).
		{"|avg_pool_3x3~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|", map[int]float64{4 + 3*4 + 1: 1}},
	} {
		g, err := ParseCell(tc.cell)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, PathFeatures)
		for i, v := range tc.paths {
			want[i] = v
		}
		if got := PathEncoding(g); !slices.Equal(got, want) {
			t.Errorf("%s: features %v, want %v", tc.cell, nonZero(got), tc.paths)
		}
	}
	if PathEncoding([]int{1, 2}) != nil {
		t.Error("an invalid genome has a path encoding")
	}
}

func nonZero(x []float64) map[int]float64 {
	m := map[int]float64{}
	for i, v := range x {
		if v != 0 {
			m[i] = v
		}
	}
	return m
}
