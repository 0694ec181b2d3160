package dashboard

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/fpga"
)

// detail is what a trial's page shows beyond the stored trial: its network
// layer by layer and the FPGA model's report of its design, both derived
// again from the spec the store kept (they are deterministic), or why not.
type detail struct {
	Layers   []layerRow
	Report   *fpga.Report
	Note     string // why the network or the report is missing, or differs
	Mismatch bool   // the design derived now is not the stored one
}

// layerRow is one layer of the network.
type layerRow struct {
	Index                  int
	Name, Op, In, Shape    string
	Kernel, Stride, Groups int
	MACs, Params           int64
}

// details derives t's network and FPGA report from rec's stored spec; the
// spec's relative paths (data set directories) are read from dir, the
// directory a store of the default name .hwnas sits in, beside its specs.
func details(rec store.Experiment, t *engine.Trial, dir string) detail {
	e, err := engine.FromStored(rec, dir)
	if err != nil {
		return detail{Note: err.Error()}
	}
	nArch := len(e.Space.Decisions())
	if len(t.Genome) < nArch {
		return detail{Note: fmt.Sprintf("the genome has %d genes, the space %d decisions", len(t.Genome), nArch)}
	}
	n, err := e.Space.Decode(t.Genome[:nArch])
	if err != nil {
		return detail{Note: "decoding the genome: " + err.Error()}
	}
	var d detail
	for i, l := range n.Layers {
		d.Layers = append(d.Layers, layerRow{Index: i, Name: l.Name, Op: l.Op.String(), In: inputs(l.In),
			Shape: l.Shape.String(), Kernel: l.Kernel, Stride: l.Stride, Groups: l.Groups, MACs: n.LayerMACs(i), Params: n.LayerParams(i)})
	}
	if e.Hardware.Report == nil {
		d.Note = "this experiment has no FPGA model hardware"
		return d
	}
	design, rep, err := e.Hardware.Report(n, t.Genome[nArch:])
	if err != nil {
		d.Note = "FPGA model: " + err.Error()
		return d
	}
	d.Report = &rep
	if t.Design != "" && design.String() != t.Design {
		d.Mismatch = true
		d.Note = "the FPGA model now derives another design than the one stored (a newer model version?): the report below is of the new one"
	}
	return d
}

// inputs names a layer's inputs: earlier layers by index, the network's
// input as "input".
func inputs(in []int) string {
	var names []string
	for _, i := range in {
		if i == arch.Input {
			names = append(names, "input")
		} else {
			names = append(names, strconv.Itoa(i))
		}
	}
	return strings.Join(names, ", ")
}
