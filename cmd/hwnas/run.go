package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "run [FILE]",
		Short: "Run an experiment (with no FILE, the built-in FNAS demo)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "hwnas: the experiment engine is not built yet; the built-in demo will run an FNAS-style search on MNIST under a PYNQ-Z1 latency spec.")
			return nil
		},
	})
}
