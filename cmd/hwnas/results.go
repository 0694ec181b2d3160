package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/runtime"
	"github.com/hwnas/hwnas/runtime/store"
)

func init() {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "results [NAME]",
		Short: "Print the stored results of an experiment",
		Long: `Print every stored trial of the latest run of experiment NAME: as a table
(trials on the Pareto front marked *), as CSV with every metric, or as the
JSON object of hwnas run --json. With no NAME, list the stored runs.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return &exitError{2, fmt.Sprintf("hwnas results: --format %q: want table, csv or json", format)}
			}
			st, err := openExisting(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			if len(args) == 0 {
				return listRuns(cmd.OutOrStdout(), st)
			}
			out, err := runtime.Load(st, args[0])
			if err != nil {
				return &exitError{1, "hwnas results: " + err.Error()}
			}
			w := cmd.OutOrStdout()
			switch format {
			case "csv":
				return runtime.WriteCSV(w, out)
			case "json":
				return runtime.WriteJSON(w, out)
			}
			if err := runtime.WriteSummary(w, out); err != nil {
				return err
			}
			fmt.Fprintln(w, "\nAll trials (* on the Pareto front):")
			return runtime.WriteTable(w, out, out.Trials)
		},
	}
	cmd.Flags().StringVar(&dir, "store", store.DefaultDir, "directory of the result store")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	rootCmd.AddCommand(cmd)
}

// listRuns prints every stored run, newest first.
func listRuns(w io.Writer, st *store.Store) error {
	es, err := st.Experiments("")
	if err != nil {
		return err
	}
	if len(es) == 0 {
		_, err := fmt.Fprintf(w, "the store %s holds no experiment yet\n", st.Dir())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "experiment\tseed\ttrials\tspec hash\tcreated")
	for _, e := range es {
		ts, err := st.Trials(e.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", e.Name, e.Seed, len(ts), e.Hash, e.Created.Format(time.DateTime))
	}
	return tw.Flush()
}

// openExisting opens a store that must already exist.
func openExisting(dir string) (*store.Store, error) {
	if _, err := osStat(dir); err != nil {
		return nil, &exitError{1, fmt.Sprintf("hwnas: no result store at %s (run an experiment first, or pass --store)", dir)}
	}
	return store.Open(dir)
}
