package main

import "github.com/spf13/cobra"

// benchCmd groups the benchmark commands; each adds itself from its own file.
var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Run a benchmark and print its figures",
}

func init() { rootCmd.AddCommand(benchCmd) }
