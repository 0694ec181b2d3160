package main

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/export"
)

type exportFlags struct {
	spec, store, onnx, hls string
}

func init() {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export EXPERIMENT TRIAL_ID",
		Short: "Export a stored trial as an ONNX model and/or an HLS C++ accelerator",
		Long: `Export trial TRIAL_ID (the id hwnas results shows) of the latest stored run of
EXPERIMENT. --onnx FILE writes the network as an ONNX model (opset 13) with
its trained weights: the trial is trained again with the run's seed and
fidelity, and the export fails unless the accuracy comes out bit for bit as
stored. A trial the built-in trainer did not train is written with its
initial weights. --hls DIR writes the trial's FPGA design as C++ for an HLS
tool, with a C testbench (make -C DIR csim) and a design report.

Without --spec, export rebuilds the experiment from the spec the store kept
with the run (the declarations it uses; relative data set paths are read
from the current directory), or, for a run stored by an older hwnas that kept
only the experiment's own text, from the built-in demo. With --spec it reads
that file. Either way the spec's hash must be the stored run's.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.spec, "spec", "", "the spec file the run came from (default: the spec stored with the run)")
	fl.StringVar(&f.store, "store", store.DefaultDir, "directory of the result store")
	fl.StringVar(&f.onnx, "onnx", "", "write the network as an ONNX model to this file")
	fl.StringVar(&f.hls, "hls", "", "write the HLS C++ accelerator, testbench and report into this directory")
	rootCmd.AddCommand(cmd)
}

func runExport(cmd *cobra.Command, args []string, f *exportFlags) error {
	if f.onnx == "" && f.hls == "" {
		return &exitError{2, "hwnas export: nothing to write: give --onnx FILE, --hls DIR or both"}
	}
	id, err := strconv.Atoi(args[1])
	if err != nil || id < 0 {
		return &exitError{2, fmt.Sprintf("hwnas export: trial id %q: want a number as hwnas results shows it", args[1])}
	}
	st, err := openExisting(f.store)
	if err != nil {
		return err
	}
	defer st.Close()
	e, from, err := exportExperiment(st, args[0], f.spec)
	if err != nil {
		return &exitError{2, "hwnas export: " + err.Error()}
	}
	t, err := export.Load(cmd.Context(), st, e, id, runtime.GOMAXPROCS(0))
	if errors.Is(err, export.ErrOtherSpec) && f.spec == "" {
		return &exitError{1, "hwnas export: " + err.Error() + "; without --spec, export read " + from}
	}
	if err != nil {
		return &exitError{1, "hwnas export: " + err.Error()}
	}
	fmt.Fprint(cmd.OutOrStdout(), t.Describe())
	wrote, err := t.Files(f.onnx, f.hls)
	fmt.Fprint(cmd.OutOrStdout(), wrote)
	if err != nil {
		return &exitError{1, "hwnas export: " + err.Error()}
	}
	return nil
}

// exportExperiment is the experiment name as the run to export came from:
// from the spec file when one is given; else from the spec the store kept
// with its latest run (runs since the store kept whole specs), else from the
// built-in demo. from says which, for errors.
func exportExperiment(st *store.Store, name, specFile string) (e engine.Experiment, from string, err error) {
	if specFile == "" {
		if es, err := st.Experiments(name); err == nil && len(es) > 0 {
			if e, err := engine.FromStored(es[0], "."); err == nil {
				return e, "the spec stored with the run", nil
			}
		}
	}
	spec, err := loadRunSpec(specFile)
	if err != nil {
		return e, "", err
	}
	e, err = engine.FromSpec(spec, name)
	if specFile == "" {
		return e, "the built-in demo (the stored spec does not check on its own: give --spec)", err
	}
	return e, specFile, err
}
