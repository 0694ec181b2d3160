// Command hwnas is the command-line front end of hwnas: hardware-aware neural
// architecture search and NAS/FPGA co-design from small declarative specs.
//
// Each sub-command lives in its own file and registers itself on rootCmd from
// an init function, so that adding a command touches no other file.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "hwnas",
	Short: "Hardware-aware neural architecture search and NAS/FPGA co-design",
	Long: `hwnas finds the networks and FPGA designs on the Pareto front of accuracy
against latency, throughput, energy and resources, from a small declarative spec.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries a process exit code through cobra without printing twice.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	if err := rootCmd.Execute(); err != nil {
		code := 1
		if ee, ok := err.(*exitError); ok {
			code = ee.code
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
		} else {
			fmt.Fprintln(os.Stderr, "hwnas:", err)
		}
		os.Exit(code)
	}
}
