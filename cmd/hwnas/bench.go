package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// benchCmd groups the benchmark commands; each adds itself from its own file.
var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Run a benchmark and print its figures",
	// Without this, cobra prints the help and exits 0 for `hwnas bench fnsa`.
	RunE: func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var names []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		list := strings.Join(names, " or ")
		if n := len(names); n > 2 {
			list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
		}
		return &exitError{code: 2, msg: fmt.Sprintf("hwnas bench: unknown benchmark %q: want %s", args[0], list)}
	},
}

func init() { rootCmd.AddCommand(benchCmd) }
