package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/report"
)

var osStat = os.Stat

// plotKinds are the values of hwnas plot --kind.
var plotKinds = []string{"trials", "pareto", "best", "hypervolume", "decisions", "probabilities"}

func init() {
	var dir, output, kind string
	cmd := &cobra.Command{
		Use:   "plot NAME...",
		Short: "Plot stored experiments: trials, fronts, best so far, hypervolume, decisions, probabilities",
		Long: `Draw stored experiments to an SVG or PNG file chosen by the extension of -o.
--kind trials (the default) draws every trial of one experiment by status
(trained, looked up, cached, pruned, failed), its Pareto front and its
constraints; pareto overlays the fronts of several; best draws the best
first objective against trials; hypervolume draws the hypervolume against
trials, with GROUP=NAME arguments grouping runs (seeds) into a mean line and
a band; decisions draws the choices of one experiment as parallel
coordinates; probabilities draws a differentiable search's (fbnet,
proxyless) probability of every candidate per epoch, a panel per position.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(plotKinds, kind) {
				return &exitError{2, fmt.Sprintf("hwnas plot: --kind %q: want one of %s", kind, strings.Join(plotKinds, ", "))}
			}
			if (kind == "trials" || kind == "decisions" || kind == "probabilities") && len(args) > 1 {
				return &exitError{2, fmt.Sprintf("hwnas plot: --kind %s draws one experiment, got %d (%s)", kind, len(args), strings.Join(args, " "))}
			}
			st, err := openExisting(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			fig, err := plotFigure(st, kind, args)
			if err != nil {
				return &exitError{1, "hwnas plot: " + err.Error()}
			}
			if output == "" {
				output = defaultPlotFile(kind, args[0])
			}
			if err := writeFigureFile(output, fig); err != nil {
				return &exitError{1, "hwnas plot: " + err.Error()}
			}
			fmt.Fprintln(cmd.OutOrStdout(), output)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "store", store.DefaultDir, "directory of the result store")
	cmd.Flags().StringVarP(&output, "output", "o", "", "output file, .svg or .png (default NAME-pareto.svg for trials, NAME-KIND.svg otherwise)")
	cmd.Flags().StringVar(&kind, "kind", "trials", "what to draw: "+strings.Join(plotKinds, ", "))
	rootCmd.AddCommand(cmd)
}

// defaultPlotFile is the file a plot of kind goes to without -o.
func defaultPlotFile(kind, first string) string {
	_, name, _ := strings.Cut(first, "=")
	if name == "" {
		name = first
	}
	if kind == "trials" {
		return name + "-pareto.svg"
	}
	return name + "-" + kind + ".svg"
}

// plotFigure loads the experiments args names and draws the figure of kind.
func plotFigure(st *store.Store, kind string, args []string) (*report.Figure, error) {
	if kind == "hypervolume" {
		groups := map[string][]*engine.Outcome{}
		for _, a := range args {
			group, name, ok := strings.Cut(a, "=")
			if !ok {
				name = a
			}
			out, err := engine.Load(st, name)
			if err != nil {
				return nil, err
			}
			groups[group] = append(groups[group], out)
		}
		return report.HypervolumePlot(groups), nil
	}
	var outs []*engine.Outcome
	for _, name := range args {
		out, err := engine.Load(st, name)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}
	switch kind {
	case "pareto":
		return report.ParetoPlot(outs...), nil
	case "best":
		return report.BestSoFarPlot(outs...), nil
	case "decisions":
		return report.DecisionsPlot(outs[0], nil), nil
	case "probabilities":
		if len(outs[0].ArchHistory) == 0 {
			return nil, fmt.Errorf("experiment %s has no differentiable search in the store (strategy fbnet or proxyless): no probabilities to draw", outs[0].Experiment)
		}
		return report.ProbabilitiesPlot(outs[0].Experiment, outs[0].ArchHistory), nil
	}
	return report.TrialsPlot(outs[0]), nil
}

// writeFigureFile writes f to path as SVG or PNG, by its extension.
func writeFigureFile(path string, f *report.Figure) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format != "svg" && format != "png" {
		return fmt.Errorf("plot file %s: the name must end in .svg or .png", path)
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Write(fh, format); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
