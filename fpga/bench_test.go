package fpga

import "testing"

// BenchmarkEstimate is the search-loop cost: a 4-layer FNAS child (plus its
// pool and dense head) with a fixed shared design, reusing the report.
func BenchmarkEstimate(b *testing.B) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18}, [2]int{5, 36}, [2]int{5, 36})
	p := mustLookup(b, "PYNQ-Z1")
	d := Design{Mode: Shared, Precision: Int16, Tilings: []Tiling{{8, 16, 14, 14}}}
	var r Report
	if err := EstimateTo(&r, n, p, d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := EstimateTo(&r, n, p, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEstimateFNAS is the same child under the FNAS template with one
// engine per layer.
func BenchmarkEstimateFNAS(b *testing.B) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18}, [2]int{5, 36}, [2]int{5, 36})
	p := mustLookup(b, "PYNQ-Z1")
	d, _, err := Optimize(n, p, Options{Template: FNAS, Mode: Pipeline})
	if err != nil {
		b.Fatal(err)
	}
	var r Report
	if err := EstimateTo(&r, n, p, d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := EstimateTo(&r, n, p, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptimizeAlexNet searches every legal shared tiling of AlexNet on
// a ZCU102.
func BenchmarkOptimizeAlexNet(b *testing.B) {
	n := zoo(b, "alexnet")
	p := mustLookup(b, "ZCU102")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Optimize(n, p, Options{Mode: Shared}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptimizeAlexNetPipeline is the per-layer-engine search.
func BenchmarkOptimizeAlexNetPipeline(b *testing.B) {
	n := zoo(b, "alexnet")
	p := mustLookup(b, "ZCU102")
	for b.Loop() {
		if _, _, err := Optimize(n, p, Options{Mode: Pipeline, Goal: MaxThroughput}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptimizeAuto is what a search loop pays per candidate with
// Options{} (both single-device modes tried): an FNAS child on a PYNQ-Z1.
func BenchmarkOptimizeAuto(b *testing.B) {
	n := fnasChild([2]int{7, 36}, [2]int{5, 18}, [2]int{14, 36}, [2]int{5, 9})
	p := mustLookup(b, "PYNQ-Z1")
	for b.Loop() {
		if _, _, err := Optimize(n, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptimizePoolVGG16 partitions VGG16 over three boards.
func BenchmarkOptimizePoolVGG16(b *testing.B) {
	n := zoo(b, "vgg16")
	pool, err := NewPool(1.25, "ZCU102", "ZCU102", "ZC706")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := OptimizePool(n, pool, Options{Mode: Multi, Goal: MaxThroughput}); err != nil {
			b.Fatal(err)
		}
	}
}
