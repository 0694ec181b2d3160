package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/report"
)

func init() {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "results [NAME]",
		Short: "Print the stored results of an experiment",
		Long: `Print every stored trial of the latest run of experiment NAME: as a table
(trials on the Pareto front marked *), as CSV with every metric, or as the
JSON object of hwnas run --json. With no NAME, list the stored runs (in the
same format: a table, CSV, or a JSON array).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"table", "csv", "json"}, format) {
				return &exitError{2, fmt.Sprintf("hwnas results: --format %q: want table, csv or json", format)}
			}
			st, err := openExisting(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			if len(args) == 0 {
				return listRuns(cmd.OutOrStdout(), st, format)
			}
			out, err := engine.Load(st, args[0])
			if err != nil {
				return &exitError{1, "hwnas results: " + err.Error()}
			}
			w := cmd.OutOrStdout()
			switch format {
			case "csv":
				return report.WriteCSV(w, out)
			case "json":
				return report.WriteJSON(w, out)
			}
			if err := report.WriteSummary(w, out); err != nil {
				return err
			}
			fmt.Fprintln(w, "\nAll trials (* on the Pareto front):")
			return report.WriteTable(w, out, out.Trials)
		},
	}
	cmd.Flags().StringVar(&dir, "store", store.DefaultDir, "directory of the result store")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	rootCmd.AddCommand(cmd)
}

// storedRun is one line of the list of stored runs.
type storedRun struct {
	Experiment string `json:"experiment"`
	Seed       int64  `json:"seed"`
	Trials     int    `json:"trials"`
	SpecHash   string `json:"spec_hash"`
	Created    string `json:"created"` // RFC 3339 in json and csv
}

// listRuns prints every stored run, newest first, as a table, CSV or a JSON
// array.
func listRuns(w io.Writer, st *store.Store, format string) error {
	es, err := st.Experiments("")
	if err != nil {
		return err
	}
	runs := []storedRun{}
	for _, e := range es {
		ts, err := st.Trials(e.ID)
		if err != nil {
			return err
		}
		created := e.Created.Format(time.RFC3339)
		if format == "table" {
			created = e.Created.Format(time.DateTime)
		}
		runs = append(runs, storedRun{e.Name, e.Seed, len(ts), e.Hash, created})
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(runs)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"experiment", "seed", "trials", "spec_hash", "created"})
		for _, r := range runs {
			cw.Write([]string{r.Experiment, strconv.FormatInt(r.Seed, 10), strconv.Itoa(r.Trials), r.SpecHash, r.Created})
		}
		cw.Flush()
		return cw.Error()
	}
	if len(runs) == 0 {
		_, err := fmt.Fprintf(w, "the store %s holds no experiment yet\n", st.Dir())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "experiment\tseed\ttrials\tspec hash\tcreated")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", r.Experiment, r.Seed, r.Trials, r.SpecHash, r.Created)
	}
	return tw.Flush()
}

// openExisting opens a store that must already exist, read-only: reading
// results writes nothing, so a store on read-only media or one another
// process is writing reads as well.
func openExisting(dir string) (*store.Store, error) {
	if _, err := osStat(dir); err != nil {
		return nil, &exitError{1, fmt.Sprintf("hwnas: no result store at %s (run an experiment first, or pass --store)", dir)}
	}
	st, err := store.OpenReadOnly(dir)
	if err != nil {
		return nil, &exitError{1, "hwnas: " + err.Error()}
	}
	return st, nil
}
