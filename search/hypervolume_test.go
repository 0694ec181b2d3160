package search

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestHypervolumeHand(t *testing.T) {
	min2 := []Sense{Minimize, Minimize}
	cases := []struct {
		name   string
		pts    [][]float64
		ref    []float64
		senses []Sense
		want   float64
	}{
		// Staircase: slabs 3·1 + 2·1 + 1·1.
		{"2d staircase", [][]float64{{1, 3}, {2, 2}, {3, 1}}, []float64{4, 4}, min2, 6},
		{"2d with dominated and outside", [][]float64{{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}, {0, 4}}, []float64{4, 4}, min2, 6},
		{"2d empty", nil, []float64{4, 4}, min2, 0},
		// Accuracy (max) against latency (min): boxes (0.9−0.5)·(10−4) ∪ (0.7−0.5)·(10−2):
		// 2.4 + 0.2·2 = 2.8.
		{"2d mixed senses", [][]float64{{0.9, 4}, {0.7, 2}}, []float64{0.5, 10}, []Sense{Maximize, Minimize}, 2.8},
		{"1d", [][]float64{{3}, {1}, {2}}, []float64{5}, []Sense{Minimize}, 4},
		// Unit cube minus corners: points (0,0,1)... with ref (1,1,1)+: three boxes.
		// (1,2,2),(2,1,2),(2,2,1) vs ref (3,3,3): each box 2·1·1=2 (wait: (3-1)(3-2)(3-2)=2),
		// pairwise intersections (max) e.g. (2,2,2): 1 each, triple (2,2,2): 1 → 3·2 − 3·1 + 1 = 4.
		{"3d three points", [][]float64{{1, 2, 2}, {2, 1, 2}, {2, 2, 1}}, []float64{3, 3, 3}, []Sense{Minimize, Minimize, Minimize}, 4},
		{"3d single", [][]float64{{1, 1, 1}}, []float64{2, 3, 4}, []Sense{Minimize, Minimize, Minimize}, 6},
		// 4-D: the same construction: 4 boxes of 2, 6 pair overlaps of 1, 4 triples of 1, 1 quadruple of 1:
		// 8 − 6 + 4 − 1 = 5.
		{"4d four points", [][]float64{{1, 2, 2, 2}, {2, 1, 2, 2}, {2, 2, 1, 2}, {2, 2, 2, 1}}, []float64{3, 3, 3, 3},
			[]Sense{Minimize, Minimize, Minimize, Minimize}, 5},
	}
	for _, c := range cases {
		got, err := Hypervolume(c.pts, c.ref, c.senses)
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: HV = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func TestHypervolumeErrors(t *testing.T) {
	cases := []struct {
		pts  [][]float64
		ref  []float64
		s    []Sense
		want string
	}{
		{nil, nil, nil, "no objectives"},
		{nil, []float64{1}, []Sense{Minimize, Minimize}, "reference point has 1 values for 2 objectives"},
		{[][]float64{{1}}, []float64{1, 2}, []Sense{Minimize, Minimize}, "point 0 has 1 values"},
		{nil, []float64{math.NaN(), 2}, []Sense{Minimize, Minimize}, "reference value 0 is NaN"},
	}
	for _, c := range cases {
		if _, err := Hypervolume(c.pts, c.ref, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// inclusionExclusion is the exact hypervolume by inclusion–exclusion over
// every subset of the (minimisation) points: slow, obviously correct.
func inclusionExclusion(pts [][]float64, r []float64) float64 {
	n, d := len(pts), len(r)
	v := 0.0
	for mask := 1; mask < 1<<n; mask++ {
		m := make([]float64, d)
		for k := range m {
			m[k] = math.Inf(-1)
		}
		bits := 0
		for i := range n {
			if mask&(1<<i) != 0 {
				bits++
				for k := range m {
					m[k] = math.Max(m[k], pts[i][k])
				}
			}
		}
		b := 1.0
		for k := range m {
			b *= math.Max(0, r[k]-m[k])
		}
		if bits%2 == 1 {
			v += b
		} else {
			v -= b
		}
	}
	return v
}

func randomPoints(rng *rand.Rand, n, d int) [][]float64 {
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
		for k := range pts[i] {
			pts[i][k] = float64(rng.IntN(10)) / 10 // ties on purpose
		}
	}
	return pts
}

func TestHypervolumeAgainstInclusionExclusion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for d := 2; d <= 5; d++ {
		senses := make([]Sense, d)
		ref := make([]float64, d)
		for k := range ref {
			ref[k] = 1
		}
		for trial := range 40 {
			pts := randomPoints(rng, 1+rng.IntN(8), d)
			got, err := Hypervolume(pts, ref, senses)
			if err != nil {
				t.Fatal(err)
			}
			if want := inclusionExclusion(pts, ref); math.Abs(got-want) > 1e-9 {
				t.Fatalf("d=%d trial %d: HV %v, inclusion–exclusion %v, points %v", d, trial, got, want, pts)
			}
			if d <= 3 { // WFG agrees with the dedicated algorithms
				if w := wfgAny(pts, ref); math.Abs(w-got) > 1e-9 {
					t.Fatalf("d=%d: WFG %v, exact %v", d, w, got)
				}
			}
		}
	}
}

// wfgAny runs the WFG recursion even for 2 and 3 objectives.
func wfgAny(pts [][]float64, r []float64) float64 {
	var in [][]float64
	for _, p := range pts {
		ok := true
		for k := range p {
			ok = ok && p[k] < r[k]
		}
		if ok {
			in = append(in, p)
		}
	}
	vol := 0.0
	for k, p := range in {
		var limit [][]float64
		for _, q := range in[k+1:] {
			m := make([]float64, len(r))
			for i := range m {
				m[i] = math.Max(p[i], q[i])
			}
			limit = append(limit, m)
		}
		vol += box(p, r)
		if nd := nondominatedMin(limit); len(nd) > 0 {
			vol -= wfgAny(nd, r)
		}
	}
	return vol
}

func TestHypervolumeProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for d := 2; d <= 4; d++ {
		senses := make([]Sense, d)
		for k := range senses {
			senses[k] = Sense(rng.IntN(2))
		}
		ref := make([]float64, d)
		for k := range ref {
			if senses[k] == Maximize {
				ref[k] = -0.1
			} else {
				ref[k] = 1.1
			}
		}
		for range 50 {
			pts := randomPoints(rng, 2+rng.IntN(12), d)
			hv, _ := Hypervolume(pts, ref, senses)
			// Order does not matter.
			shuffled := append([][]float64(nil), pts...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if h, _ := Hypervolume(shuffled, ref, senses); math.Abs(h-hv) > 1e-9 {
				t.Fatalf("shuffling changed HV %v → %v", hv, h)
			}
			// A dominated point changes nothing.
			worse := append([]float64(nil), pts[0]...)
			for k := range worse {
				if senses[k] == Maximize {
					worse[k] -= 0.05
				} else {
					worse[k] += 0.05
				}
			}
			if h, _ := Hypervolume(append(pts, worse), ref, senses); math.Abs(h-hv) > 1e-9 {
				t.Fatalf("adding dominated %v changed HV %v → %v", worse, hv, h)
			}
			// Any added point never lowers it; a non-dominated one inside ref raises it.
			extra := randomPoints(rng, 1, d)[0]
			h, _ := Hypervolume(append(pts, extra), ref, senses)
			if h < hv-1e-12 {
				t.Fatalf("adding %v lowered HV %v → %v", extra, hv, h)
			}
			// Only the non-dominated points matter.
			var front [][]float64
			for _, i := range NonDominated(pts, senses) {
				front = append(front, pts[i])
			}
			if h, _ := Hypervolume(front, ref, senses); math.Abs(h-hv) > 1e-9 {
				t.Fatalf("front HV %v, all-points HV %v", h, hv)
			}
		}
	}
}

func TestNonDominatedAndNadir(t *testing.T) {
	pts := [][]float64{{0.9, 5}, {0.8, 3}, {0.8, 6}, {0.95, 9}, {math.NaN(), 1}, {0.9, 5}}
	s := []Sense{Maximize, Minimize}
	got := NonDominated(pts, s)
	want := []int{0, 1, 3, 5}
	if len(got) != len(want) {
		t.Fatalf("NonDominated = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("NonDominated = %v, want %v", got, want)
		}
	}
	ref := NadirRef(pts, s, 0.1)
	if math.Abs(ref[0]-(0.8-0.015)) > 1e-12 || math.Abs(ref[1]-9.6) > 1e-12 {
		t.Errorf("NadirRef = %v", ref)
	}
	rs := []Result{{ID: 0, Objectives: []float64{0.9, 5}, Feasible: true}, {ID: 1, Objectives: []float64{0.99, 1}, Pruned: true},
		{ID: 2, Objectives: []float64{0.8, 9}, Feasible: true}, {ID: 3, Objectives: []float64{0.7, 2}, Feasible: true}}
	f, err := Front(rs, s)
	if err != nil || len(f) != 2 || f[0].ID != 0 || f[1].ID != 3 {
		t.Errorf("Front = %+v, %v", f, err)
	}
}

func BenchmarkHypervolume(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []int{2, 3, 4} {
		pts := make([][]float64, 100)
		for i := range pts { // points on a sphere: all non-dominated
			v := make([]float64, d)
			s := 0.0
			for k := range v {
				v[k] = math.Abs(rng.NormFloat64())
				s += v[k] * v[k]
			}
			for k := range v {
				v[k] /= math.Sqrt(s)
			}
			pts[i] = v
		}
		ref := make([]float64, d)
		for k := range ref {
			ref[k] = 1.1
		}
		b.Run(strings.Repeat("d", d), func(b *testing.B) {
			for b.Loop() {
				_, _ = Hypervolume(pts, ref, make([]Sense, d))
			}
		})
	}
}
