package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/fpga"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "platforms",
		Short: "List the FPGA platforms of the catalog",
		Long: `List the FPGA boards and cards hwnas models: device resources, off-chip
bandwidth, default clock and static power. Names are matched case-insensitively
and aliases (such as "pynq" or "u250") work wherever a platform is named.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ps := fpga.Catalog()
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(ps)
			}
			return writePlatforms(cmd.OutOrStdout(), ps)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	rootCmd.AddCommand(cmd)
}

func writePlatforms(w io.Writer, ps []fpga.Platform) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "NAME\tDEVICE\tFAMILY\tDSP\tBRAM18\tURAM\tLUT\tFF\tGB/s\tMHz\tSTATIC W\t")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%g\t%g\t%g\t\n",
			p.Name, p.Device, p.Family, p.DSP, p.BRAM18, p.URAM, p.LUT, p.FF, p.BandwidthGBs, p.ClockMHz, p.StaticW)
	}
	return tw.Flush()
}
