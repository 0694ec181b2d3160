package dsl_test

import (
	"fmt"
	"os"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/dsl/syntax"
)

func ExampleCheck() {
	f, err := syntax.Parse("pynq.hwnas", `platform pynq from "PYNQ-Z1" { clock = 0.1 GHz  precision = int8 }`)
	if err != nil {
		syntax.PrintError(os.Stdout, err)
		return
	}
	spec, err := dsl.Check(f)
	if err != nil {
		syntax.PrintError(os.Stdout, err)
		return
	}
	p := spec.Platforms["pynq"]
	fmt.Println(p.Catalog, p.Device.ClockMHz, "MHz", p.Precision, "at", p.Pos)
	// Output:
	// PYNQ-Z1 100 MHz int8 at pynq.hwnas:1:10
}

func ExampleCheck_errors() {
	f, _ := syntax.Parse("e.hwnas", "space s = benchmark(\"nasbench201\")\nexperiment e { space = s  evaluator = tabel }\n")
	_, err := dsl.Check(f)
	fmt.Println(err) // the first error on one line
	// Output:
	// e.hwnas:2:12: error: experiment e needs an objective (maximize accuracy) and a budget (budget 30 trials) (and 1 more errors)
}

func ExampleLoadSource() {
	src := `
platform pynq from "PYNQ-Z1" { clock = 100 MHz }
space fnas {
  input 28x28x1
  repeat 4 { conv { kernel in {5, 7, 14}  filters in {9, 18, 36} } }
  head gap, dense(10)
}
dataset mnist { source = builtin("mnist")  train = 4000 }
experiment e {
  space = fnas  platform = pynq  dataset = mnist
  maximize accuracy
  require latency <= 8000 us
  budget 30 trials
}
`
	spec, err := dsl.LoadSource("demo.hwnas", src, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := spec.Experiments["e"]
	fmt.Println(len(e.Space.Space.Decisions()), "decisions")
	fmt.Println(e.Constraints[0].Metric, e.Constraints[0].Op, e.Constraints[0].Limit, "ms")
	// Output:
	// 8 decisions
	// latency <= 8 ms
}

func ExampleLoadSource_errors() {
	_, err := dsl.LoadSource("bad.hwnas", "experiment e {\n  platform = \"PYNQ-Z1\"\n  require latency <= 8 MHz\n}\n", nil)
	syntax.PrintError(os.Stdout, err)
	// Output:
	// bad.hwnas:1:12: error: experiment e needs a space (space = NAME), a dataset to train on (dataset = NAME, or evaluator = table for a benchmark), an objective (maximize accuracy) and a budget (budget 30 trials)
	//   1 | experiment e {
	//     |            ^
	//
	// bad.hwnas:3:22: error: latency limit needs a unit of time (ns, us, ms, s, min, h); MHz is a unit of frequency
	//   3 |   require latency <= 8 MHz
	//     |                      ^~~~~
}

func ExampleSession() {
	s := dsl.NewSession(".")
	s.Add(`space s { input 28x28x1 conv { filters in {4, 8} } head gap, dense(10) }
dataset d { source = builtin("mnist") }`)
	res, _ := s.Add(`experiment e { space = s dataset = d maximize accuracy budget 4 trials }`)
	fmt.Println("run:", res.Run)
	res, _ = s.Add(`space s { input 28x28x1 conv { filters in {4, 16} } head gap, dense(10) }`)
	fmt.Println("changed:", res.Changed)
	// Output:
	// run: [e]
	// changed: [e]
}
