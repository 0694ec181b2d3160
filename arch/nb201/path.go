package nb201

// cellPaths are the four input-to-output paths of the cell, as genome edge
// indices: 0→3, 0→1→3, 0→2→3 and 0→1→2→3 (see Edges).
var cellPaths = [][]int{{3}, {0, 4}, {1, 5}, {0, 2, 5}}

// PathFeatures is the length of PathEncoding's vector: one feature per
// sequence of 1, 2 or 3 non-none ops (4 + 16 + 64).
const PathFeatures = 4 + 4*4 + 4*4*4

// PathEncoding is the path encoding of BANANAS (White, Neiswanger & Savani,
// AAAI 2021, section 4) for a NAS-Bench-201 cell: a feature per sequence of
// ops an input-to-output path can carry, counting the paths of the cell that
// carry it. Paths through a none edge carry nothing and are left out, so
// cells that compute the same function through their live paths share a
// code. It returns nil for an invalid genome.
func PathEncoding(g []int) []float64 {
	if CheckGenome(g) != nil {
		return nil
	}
	x := make([]float64, PathFeatures)
	for _, p := range cellPaths {
		code, live := 0, true
		for _, e := range p {
			if g[e] == OpNone {
				live = false
				break
			}
			code = code*4 + g[e] - 1
		}
		if live {
			x[pathOffset(len(p))+code]++
		}
	}
	return x
}

// pathOffset is where the features of paths of n edges start.
func pathOffset(n int) int {
	switch n {
	case 1:
		return 0
	case 2:
		return 4
	}
	return 4 + 16
}

// Encode is the predictor features of a genome: its path encoding (see
// PathEncoding).
func (Space) Encode(g []int) []float64 { return PathEncoding(g) }
