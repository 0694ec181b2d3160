package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
)

var osStat = os.Stat

func init() {
	var dir, output string
	cmd := &cobra.Command{
		Use:   "plot NAME",
		Short: "Plot the trials and Pareto front of a stored experiment",
		Long: `Draw every stored trial of experiment NAME (pruned ones marked, the Pareto
front as a line, a constraint on the x axis as a dashed line) to an SVG or
PNG file chosen by the extension of -o.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openExisting(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			out, err := engine.Load(st, args[0])
			if err != nil {
				return &exitError{1, "hwnas plot: " + err.Error()}
			}
			if output == "" {
				output = args[0] + "-pareto.svg"
			}
			if err := writePlotFile(output, out); err != nil {
				return &exitError{1, "hwnas plot: " + err.Error()}
			}
			fmt.Fprintln(cmd.OutOrStdout(), output)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "store", store.DefaultDir, "directory of the result store")
	cmd.Flags().StringVarP(&output, "output", "o", "", "output file, .svg or .png (default NAME-pareto.svg)")
	rootCmd.AddCommand(cmd)
}
