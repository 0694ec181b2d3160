package syntax_test

import (
	"fmt"
	"os"

	"github.com/hwnas/hwnas/dsl/syntax"
)

func ExampleParse() {
	f, err := syntax.Parse("x.hwnas", `platform p from "ZC706" { clock = 150 MHz }`)
	if err != nil {
		syntax.PrintError(os.Stdout, err)
		return
	}
	p := f.Decls[0].Platform
	fmt.Println(p.Name.Text, p.From.Text, p.Name.Pos)
	for _, fd := range p.Body.Items {
		fmt.Println(fd.Key.Text, fd.Op, fd.Value.Num.Text, fd.Value.Num.Unit)
	}
	// Output:
	// p ZC706 x.hwnas:1:10
	// clock = 150 MHz
}

func ExampleFormat() {
	f, _ := syntax.Parse("x.hwnas", `platform p from "ZC706"{clock=150MHz}   # the board`)
	fmt.Print(syntax.Format(f))
	// Output:
	// platform p from "ZC706" {
	//   clock = 150 MHz
	// }  # the board
}

func ExamplePrintError() {
	_, err := syntax.Parse("bad.hwnas", "experiment e {\n  budget = 30 trials\n}\n")
	fmt.Println(err) // one line
	fmt.Println()
	syntax.PrintError(os.Stdout, err) // with the source line and a caret
	// Output:
	// bad.hwnas:2:10: error: unexpected "=": budget takes its value without =, as in budget 30 trials
	//
	// bad.hwnas:2:10: error: unexpected "=": budget takes its value without =, as in budget 30 trials
	//   2 |   budget = 30 trials
	//     |          ^
}
