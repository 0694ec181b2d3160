package arch

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChainSpace is a search space of plain layer chains in the style of FNAS and
// the hardware/software co-exploration work (Zoph & Le's space): an input,
// blocks of layers repeated a fixed number or a range of times, a choice of
// values for every layer parameter, optional layers and layer-type choices,
// and a fixed head.
//
// Every free choice becomes one categorical Decision. A block whose repeat
// count is a range gets a "blockN.repeat" decision and genes for its largest
// count; repeats beyond the chosen count leave their genes unused. A Shared
// block makes its choices once and applies them to every repeat.
type ChainSpace struct {
	SpaceName string
	Input     Shape
	Blocks    []ChainBlock
	Head      []HeadLayer
	BatchNorm bool // conv and hidden dense layers carry batch normalisation
}

// ChainBlock is a run of layers repeated MinRepeat..MaxRepeat times.
type ChainBlock struct {
	MinRepeat, MaxRepeat int
	Shared               bool // one set of choices for all repeats
	Layers               []ChainLayer
}

// ChainLayer is one layer slot: Optional slots may be left out, and a slot
// with several Alts chooses its layer type.
type ChainLayer struct {
	Optional bool
	Alts     []LayerAlt
}

// LayerAlt is one layer type a slot may take, with the values each of its
// parameters may take, in the order they were written.
type LayerAlt struct {
	Kind   string // one of LayerKinds
	Params []Param
}

// Param is a layer parameter and the values it may take; one value is fixed.
type Param struct {
	Name   string
	Values []int
}

// HeadLayer is one layer of the fixed head: Kind "gap", "flatten" or "dense"
// (Units outputs; the last dense gives the number of classes).
type HeadLayer struct {
	Kind  string
	Units int
}

// LayerKinds lists the layer types of a chain and the parameters each takes.
// Parameters left out get their defaults: kernel 3 and stride 1 for
// convolutions, kernel 2 and stride equal to the kernel for pools.
var LayerKinds = map[string][]string{
	"conv":    {"kernel", "filters", "stride"},
	"dwconv":  {"kernel", "stride"},
	"maxpool": {"kernel", "stride"},
	"avgpool": {"kernel", "stride"},
	"skip":    nil,
	"dense":   {"units"},
	"mbconv":  {"expand", "kernel", "filters", "stride"},
}

// Name returns the space's name.
func (s *ChainSpace) Name() string { return s.SpaceName }

// Validate checks the space's structure: repeat ranges, known layer kinds and
// parameters, required parameters, positive values and a head that ends in a
// dense layer.
func (s *ChainSpace) Validate() error {
	if s.Input.H <= 0 || s.Input.W <= 0 || s.Input.C <= 0 {
		return fmt.Errorf("space %s: input %s: every dimension must be positive", s.SpaceName, s.Input)
	}
	if len(s.Blocks) == 0 {
		return fmt.Errorf("space %s: no layers", s.SpaceName)
	}
	for b, blk := range s.Blocks {
		if blk.MinRepeat < 1 || blk.MaxRepeat < blk.MinRepeat {
			return fmt.Errorf("space %s: block %d: repeat %d..%d must be at least 1 and ordered", s.SpaceName, b+1, blk.MinRepeat, blk.MaxRepeat)
		}
		if len(blk.Layers) == 0 {
			return fmt.Errorf("space %s: block %d has no layers", s.SpaceName, b+1)
		}
		for _, l := range blk.Layers {
			if len(l.Alts) == 0 {
				return fmt.Errorf("space %s: block %d: a layer has no type", s.SpaceName, b+1)
			}
			for _, a := range l.Alts {
				if err := a.validate(); err != nil {
					return fmt.Errorf("space %s: block %d: %w", s.SpaceName, b+1, err)
				}
			}
		}
	}
	if len(s.Head) == 0 || s.Head[len(s.Head)-1].Kind != "dense" {
		return fmt.Errorf("space %s: the head must end in dense(classes)", s.SpaceName)
	}
	for _, h := range s.Head {
		switch h.Kind {
		case "gap", "flatten":
		case "dense":
			if h.Units < 1 {
				return fmt.Errorf("space %s: head dense(%d) needs at least 1 unit", s.SpaceName, h.Units)
			}
		default:
			return fmt.Errorf("space %s: unknown head layer %q (want gap, flatten or dense)", s.SpaceName, h.Kind)
		}
	}
	return nil
}

func (a *LayerAlt) validate() error {
	allowed, ok := LayerKinds[a.Kind]
	if !ok {
		return fmt.Errorf("unknown layer type %q", a.Kind)
	}
	seen := map[string]bool{}
	for _, p := range a.Params {
		if !slices.Contains(allowed, p.Name) {
			takes := strings.Join(allowed, ", ")
			if takes == "" {
				takes = "none"
			}
			return fmt.Errorf("%s has no parameter %q (it takes %s)", a.Kind, p.Name, takes)
		}
		if seen[p.Name] {
			return fmt.Errorf("%s: parameter %s given twice", a.Kind, p.Name)
		}
		seen[p.Name] = true
		if len(p.Values) == 0 {
			return fmt.Errorf("%s.%s has no values", a.Kind, p.Name)
		}
		for _, v := range p.Values {
			if v < 1 {
				return fmt.Errorf("%s.%s = %d: must be at least 1", a.Kind, p.Name, v)
			}
		}
	}
	switch a.Kind {
	case "conv":
		if !seen["filters"] {
			return fmt.Errorf("conv needs filters")
		}
	case "dense":
		if !seen["units"] {
			return fmt.Errorf("dense needs units")
		}
	case "mbconv":
		if !seen["filters"] {
			return fmt.Errorf("mbconv needs filters")
		}
	}
	return nil
}

// slotName names the genes of one layer slot.
func (s *ChainSpace) slotName(b, layer, global int) string {
	if s.Blocks[b].Shared {
		return fmt.Sprintf("block%d.layer%d", b+1, layer+1)
	}
	return "layer" + strconv.Itoa(global)
}

// walk visits every decision of the space in genome order. For each block it
// first reports the repeat decision (if any), then, for every repeat that owns
// genes, every slot's decisions: "use" (optional), "type" (several types) and
// one per free parameter.
func (s *ChainSpace) walk(visit func(d Decision)) {
	global := 0
	for b, blk := range s.Blocks {
		if blk.MaxRepeat > blk.MinRepeat {
			var ch []string
			for r := blk.MinRepeat; r <= blk.MaxRepeat; r++ {
				ch = append(ch, strconv.Itoa(r))
			}
			visit(Decision{Name: fmt.Sprintf("block%d.repeat", b+1), Choices: ch})
		}
		reps := blk.MaxRepeat
		if blk.Shared {
			reps = 1
		}
		for r := 0; r < reps; r++ {
			for j, l := range blk.Layers {
				global++
				name := s.slotName(b, j, global)
				if l.Optional {
					visit(Decision{Name: name + ".use", Choices: []string{"no", "yes"}})
				}
				if len(l.Alts) > 1 {
					ch := make([]string, len(l.Alts))
					for k, a := range l.Alts {
						ch[k] = a.Kind
					}
					visit(Decision{Name: name + ".type", Choices: ch})
				}
				for _, a := range l.Alts {
					prefix := name
					if len(l.Alts) > 1 {
						prefix += "." + a.Kind
					}
					for _, p := range a.Params {
						if len(p.Values) > 1 {
							ch := make([]string, len(p.Values))
							for k, v := range p.Values {
								ch[k] = strconv.Itoa(v)
							}
							visit(Decision{Name: prefix + "." + p.Name, Choices: ch})
						}
					}
				}
			}
		}
		if blk.Shared {
			global += (blk.MaxRepeat - 1) * len(blk.Layers)
		}
	}
}

// Decisions lists one categorical decision per free choice, in genome order.
func (s *ChainSpace) Decisions() []Decision {
	var ds []Decision
	s.walk(func(d Decision) { ds = append(ds, d) })
	return ds
}

// Size returns the number of distinct genomes (the product of the decisions'
// cardinalities), saturating at the largest int64.
func Size(s Space) int64 {
	const maxInt64 = int64(^uint64(0) >> 1)
	n := int64(1)
	for _, c := range Cardinalities(s) {
		if c > 0 && n > maxInt64/int64(c) {
			return maxInt64
		}
		n *= int64(c)
	}
	return n
}

// genes reads a genome in decision order.
type genes struct {
	g   []int
	pos int
}

func (r *genes) next(n int) int {
	v := r.g[r.pos]
	r.pos++
	if v < 0 || v >= n {
		return -1
	}
	return v
}

// Decode builds the network a genome selects and infers its shapes.
// Convolutions use 'same' padding ((kernel-1)/2 before and kernel/2 after, so
// an even kernel gets its odd row and column at the bottom and right as in
// Keras, and stride 1 keeps the map size) and ReLU;
// the last head dense layer is linear and gives the classes.
func (s *ChainSpace) Decode(genome []int) (*Network, error) {
	ds := s.Decisions()
	if len(genome) != len(ds) {
		return nil, fmt.Errorf("space %s: genome has %d genes, want %d", s.SpaceName, len(genome), len(ds))
	}
	for i, g := range genome {
		if g < 0 || g >= len(ds[i].Choices) {
			return nil, fmt.Errorf("space %s: gene %d (%s) = %d, want 0..%d", s.SpaceName, i, ds[i].Name, g, len(ds[i].Choices)-1)
		}
	}
	d := chainDecoder{s: s, n: &Network{Input: s.Input}, r: &genes{g: genome}, prev: Input, ch: s.Input.C}
	for b := range s.Blocks {
		d.block(b)
	}
	d.head()
	if err := d.n.Infer(); err != nil {
		return nil, fmt.Errorf("space %s: %w", s.SpaceName, err)
	}
	return d.n, nil
}

// chainDecoder reads a genome in decision order (as walk visits the
// decisions) and appends the layers it selects.
type chainDecoder struct {
	s      *ChainSpace
	n      *Network
	r      *genes
	global int // slots read so far, for slotName
	prev   int // the last layer appended (Input at first)
	ch     int // its output channels
}

// slotPick is the layer chosen for one slot: its type, the values of its
// parameters, and its name.
type slotPick struct {
	alt  *LayerAlt
	vals map[string]int
	name string
}

// block reads block b's repeat count and the choices of every repeat that
// owns genes, and appends its layers.
func (d *chainDecoder) block(b int) {
	blk := &d.s.Blocks[b]
	count := blk.MinRepeat
	if blk.MaxRepeat > blk.MinRepeat {
		count += d.r.next(blk.MaxRepeat - blk.MinRepeat + 1)
	}
	reps := blk.MaxRepeat
	if blk.Shared {
		reps = 1
	}
	picks := make([][]*slotPick, reps) // picks[rep][slot], nil when left out
	for rep := range picks {
		picks[rep] = d.slots(b)
	}
	if blk.Shared {
		d.global += (blk.MaxRepeat - 1) * len(blk.Layers)
	}
	for rep := 0; rep < count; rep++ {
		row := picks[0]
		if !blk.Shared {
			row = picks[rep]
		}
		d.appendRow(b, rep, row)
	}
}

// slots reads one repeat of block b: for every slot whether it is used, its
// type, and the parameter values of each type (those of the types not
// chosen are read and ignored). A slot left out is nil.
func (d *chainDecoder) slots(b int) []*slotPick {
	blk := &d.s.Blocks[b]
	row := make([]*slotPick, len(blk.Layers))
	for j := range blk.Layers {
		d.global++
		l := &blk.Layers[j]
		use := true
		if l.Optional {
			use = d.r.next(2) == 1
		}
		alt := 0
		if len(l.Alts) > 1 {
			alt = d.r.next(len(l.Alts))
		}
		for k := range l.Alts {
			vals := d.values(&l.Alts[k])
			if k == alt && use {
				row[j] = &slotPick{alt: &l.Alts[k], vals: vals, name: d.s.slotName(b, j, d.global)}
			}
		}
	}
	return row
}

// values reads the value of every parameter of a; a fixed one takes no gene.
func (d *chainDecoder) values(a *LayerAlt) map[string]int {
	vals := map[string]int{}
	for _, p := range a.Params {
		v := 0
		if len(p.Values) > 1 {
			v = d.r.next(len(p.Values))
		}
		vals[p.Name] = p.Values[v]
	}
	return vals
}

// appendRow appends the layers of repeat rep of block b; skips and slots
// left out add nothing.
func (d *chainDecoder) appendRow(b, rep int, row []*slotPick) {
	for j, p := range row {
		if p == nil || p.alt.Kind == "skip" {
			continue
		}
		name := p.name
		if d.s.Blocks[b].Shared {
			name = fmt.Sprintf("block%d.repeat%d.layer%d", b+1, rep+1, j+1)
		}
		if p.alt.Kind == "mbconv" {
			d.mbconv(p.vals, name)
			continue
		}
		l := d.s.layer(p.alt.Kind, p.vals, d.ch)
		l.Name = name
		d.prev = d.n.Append(l, d.prev)
		d.ch = l.channels(d.ch)
	}
}

// head appends the fixed head; flatten adds no layer (dense reads any shape).
func (d *chainDecoder) head() {
	for k, h := range d.s.Head {
		switch h.Kind {
		case "gap":
			d.prev = d.n.Append(Layer{Name: "head.gap", Op: GlobalAvgPool}, d.prev)
		case "dense":
			l := Layer{Name: "head.dense", Op: Dense, Out: h.Units}
			if k < len(d.s.Head)-1 {
				l.Act, l.BN = ReLU, d.s.BatchNorm
			}
			d.prev = d.n.Append(l, d.prev)
			d.n.Classes = h.Units
		}
	}
}

// layer builds the IR layer of one chosen layer type reading c channels.
func (s *ChainSpace) layer(kind string, v map[string]int, c int) Layer {
	get := func(name string, def int) int {
		if x, ok := v[name]; ok {
			return x
		}
		return def
	}
	switch kind {
	case "conv":
		k := get("kernel", 3)
		return Layer{Op: Conv, Kernel: k, Stride: get("stride", 1), Pad: (k - 1) / 2, PadAfter: samePadAfter(k), Out: v["filters"], Act: ReLU, BN: s.BatchNorm}
	case "dwconv":
		k := get("kernel", 3)
		return Layer{Op: Conv, Kernel: k, Stride: get("stride", 1), Pad: (k - 1) / 2, PadAfter: samePadAfter(k), Groups: c, Out: c, Act: ReLU, BN: s.BatchNorm}
	case "maxpool", "avgpool":
		k := get("kernel", 2)
		op := MaxPool
		if kind == "avgpool" {
			op = AvgPool
		}
		return Layer{Op: op, Kernel: k, Stride: get("stride", k)}
	default: // dense
		return Layer{Op: Dense, Out: v["units"], Act: ReLU, BN: s.BatchNorm}
	}
}

// samePadAfter is the extra padding after of a 'same' convolution with kernel
// k: an even kernel needs k-1 zeros, (k-2)/2 before and k/2 after
// (TensorFlow's SAME rule, with the odd one at the bottom and right).
func samePadAfter(k int) int { return 1 - k%2 }

// channels returns the output channels of l given c input channels.
func (l *Layer) channels(c int) int {
	switch l.Op {
	case Conv, Dense:
		return l.Out
	}
	return c
}
