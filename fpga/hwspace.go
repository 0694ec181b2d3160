package fpga

import (
	"fmt"
	"strconv"

	"github.com/hwnas/hwnas/arch"
)

// HWSpace is a discrete hardware search space for co-exploration: its genes
// follow the architecture genes in one genome, as in Jiang et al., TCAD'20,
// "Hardware/Software Co-Exploration of Neural Architectures"
// (docs/fpga-model.md §8). Decode
// turns them into a Design to run with EstimatePool(n, s.Pool, d).
//
// Genes, in order (a decision with a single choice is left out):
//
//	device     which pool device runs a single-device design (Multi false)
//	stages     how many pool devices a Multi pipeline uses, 1..len(Pool)
//	precision  one of Precisions
//	tm tn tr tc  the tile sizes of a shared engine (one per stage for Multi),
//	           unless OptimizeTiling
type HWSpace struct {
	Pool       Pool
	Multi      bool        // pipeline over the pool instead of picking one device
	Precisions []Precision // empty: int16
	Tm, Tn     []int       // empty: the co-exploration controller's values
	Tr, Tc     []int

	// OptimizeTiling leaves the tile sizes out of the genome: Decode gives
	// each stage (the whole network for a single device) the shared engine
	// that runs its layers fastest on its device, as OptimizePool tunes a
	// stage, and Tm, Tn, Tr and Tc are unused.
	OptimizeTiling bool `json:",omitempty"`
}

// CoExploreSpace returns the hardware space of the reference controller
// released with the co-exploration work (Jiang et al. TCAD'20,
// weiwenjiang/rl_interface): Tm ∈ {8,…,48},
// Tn ∈ {1..8}, Tr, Tc ∈ {32, 64}, 16-bit.
func CoExploreSpace(pool Pool, multi bool) HWSpace {
	return HWSpace{Pool: pool, Multi: multi, Precisions: []Precision{Int16},
		Tm: []int{8, 16, 24, 32, 40, 48}, Tn: []int{1, 2, 3, 4, 5, 6, 7, 8}, Tr: []int{32, 64}, Tc: []int{32, 64}}
}

func (s *HWSpace) lists() (prec []Precision, tm, tn, tr, tc []int) {
	def := CoExploreSpace(s.Pool, s.Multi)
	pick := func(a, b []int) []int {
		if len(a) > 0 {
			return a
		}
		return b
	}
	prec = s.Precisions
	if len(prec) == 0 {
		prec = def.Precisions
	}
	return prec, pick(s.Tm, def.Tm), pick(s.Tn, def.Tn), pick(s.Tr, def.Tr), pick(s.Tc, def.Tc)
}

func intChoices(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Itoa(x)
	}
	return out
}

// Decisions lists the hardware genes (names prefixed "hw.").
func (s HWSpace) Decisions() []arch.Decision {
	prec, tm, tn, tr, tc := s.lists()
	var ds []arch.Decision
	if nd := len(s.Pool.Devices); nd > 1 {
		if s.Multi {
			ds = append(ds, arch.Decision{Name: "hw.stages", Choices: intChoices(seq(1, nd))})
		} else {
			names := make([]string, nd)
			for i, d := range s.Pool.Devices {
				names[i] = d.Name
			}
			ds = append(ds, arch.Decision{Name: "hw.device", Choices: names})
		}
	}
	if len(prec) > 1 {
		ps := make([]string, len(prec))
		for i, p := range prec {
			ps[i] = p.String()
		}
		ds = append(ds, arch.Decision{Name: "hw.precision", Choices: ps})
	}
	if s.OptimizeTiling {
		return ds
	}
	return append(ds,
		arch.Decision{Name: "hw.tm", Choices: intChoices(tm)},
		arch.Decision{Name: "hw.tn", Choices: intChoices(tn)},
		arch.Decision{Name: "hw.tr", Choices: intChoices(tr)},
		arch.Decision{Name: "hw.tc", Choices: intChoices(tc)})
}

func seq(a, b int) []int {
	out := make([]int, 0, b-a+1)
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

// Decode turns hardware genes into a design for n. A Multi design with k
// stages cuts n into k contiguous stages of about equal MACs on the first k
// pool devices. With OptimizeTiling the tilings are optimised for n.
func (s HWSpace) Decode(genes []int, n *arch.Network) (Design, error) {
	if err := s.Pool.Validate(); err != nil {
		return Design{}, fmt.Errorf("hardware space: %w", err)
	}
	ds := s.Decisions()
	if len(genes) != len(ds) {
		return Design{}, fmt.Errorf("hardware genome has %d genes, want %d", len(genes), len(ds))
	}
	for i, g := range genes {
		if g < 0 || g >= len(ds[i].Choices) {
			return Design{}, fmt.Errorf("hardware gene %d (%s) = %d, want 0..%d", i, ds[i].Name, g, len(ds[i].Choices)-1)
		}
	}
	prec, tm, tn, tr, tc := s.lists()
	d := Design{Mode: Shared, Precision: prec[0]}
	k, stages := 0, 1
	if len(s.Pool.Devices) > 1 {
		if s.Multi {
			stages = genes[0] + 1
		} else {
			d.Device = genes[0]
		}
		k++
	}
	if len(prec) > 1 {
		d.Precision = prec[genes[k]]
		k++
	}
	if !s.OptimizeTiling {
		d.Tilings = []Tiling{{tm[genes[k]], tn[genes[k+1]], tr[genes[k+2]], tc[genes[k+3]]}}
	}
	if !s.Multi && !s.OptimizeTiling {
		return d, nil
	}
	if n == nil || len(n.Layers) == 0 {
		what := "a multi-FPGA design"
		if !s.Multi {
			what = "an optimised tiling"
		}
		return Design{}, fmt.Errorf("hardware space: %s needs a network with layers", what)
	}
	if s.Multi {
		d.Mode = Multi
		d.Stages = balancedStages(n, min(stages, len(n.Layers)))
	}
	if s.OptimizeTiling {
		d.Tilings = s.optimisedTilings(n, &d)
	}
	return d, nil
}

// optimisedTilings gives every stage of d (the whole network on d.Device
// when d is not Multi) the shared engine that runs its layers fastest: the
// device's best <Tm,Tn> array with each layer's fastest <Tr,Tc> whose
// buffers fit (deviceTable). A stage that no array fits gets the smallest
// engine, <1,1,1,1>, and EstimatePool says why it does not fit.
func (s *HWSpace) optimisedTilings(n *arch.Network, d *Design) []Tiling {
	stages := d.Stages
	if d.Mode != Multi {
		stages = []Stage{{First: 0, Last: len(n.Layers) - 1, Device: d.Device}}
	}
	ls := distinctLayers(n)
	sps := make([][][2]int, len(ls.dims))
	for u := range ls.dims {
		sps[u] = spatial(&ls.dims[u], Tiling{})
	}
	out := make([]Tiling, len(n.Layers))
	for _, st := range stages {
		p := s.Pool.Devices[st.Device]
		tab := deviceTable(&ls, sps, &p, d, Tiling{})
		if _, pi := tab.stage(st.First, st.Last+1); pi >= 0 {
			copy(out[st.First:st.Last+1], tab.tiles[pi][st.First:st.Last+1])
			continue
		}
		for i := st.First; i <= st.Last; i++ {
			out[i] = Tiling{1, 1, 1, 1}
		}
	}
	return out
}

// balancedStages cuts n into k contiguous non-empty stages of about equal
// MACs, on devices 0..k-1.
func balancedStages(n *arch.Network, k int) []Stage {
	total := n.MACs()
	out := make([]Stage, 0, k)
	first := 0
	var acc int64
	for i := range n.Layers {
		acc += n.LayerMACs(i)
		left := len(n.Layers) - 1 - i // layers after i
		need := k - len(out) - 1      // stages still to open after this one
		if need == 0 {
			break
		}
		if left == need || acc*int64(k) >= total*int64(len(out)+1) {
			out = append(out, Stage{First: first, Last: i, Device: len(out)})
			first = i + 1
		}
	}
	return append(out, Stage{First: first, Last: len(n.Layers) - 1, Device: len(out)})
}
