package lut

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
)

// candidate is one choice of a slot: its label and the genes that select it.
type candidate struct {
	label string
	genes map[int]int
}

// candidates enumerates a slot's candidates: "none" when the slot is
// optional, then every layer type with every combination of its free
// parameters, labelled like "mbconv(expand=3 kernel=5)" (no comma, so CSV needs no quotes). idx maps decision
// names to gene indices.
func (sl *slot) candidates(idx map[string]int) ([]candidate, error) {
	var out []candidate
	base := map[int]int{}
	if sl.layer.Optional {
		g, ok := idx[sl.name+".use"]
		if !ok {
			return nil, fmt.Errorf("lut: no decision %s.use", sl.name)
		}
		out = append(out, candidate{"none", map[int]int{g: 0}})
		base[g] = 1
	}
	for k := range sl.layer.Alts {
		a := &sl.layer.Alts[k]
		prefix := sl.name
		genes := maps.Clone(base)
		if len(sl.layer.Alts) > 1 {
			prefix += "." + a.Kind
			genes[idx[sl.name+".type"]] = k
		}
		cs := []candidate{{a.Kind, genes}}
		for _, p := range a.Params {
			if len(p.Values) < 2 {
				continue
			}
			g, ok := idx[prefix+"."+p.Name]
			if !ok {
				return nil, fmt.Errorf("lut: no decision %s.%s", prefix, p.Name)
			}
			cs = expand(cs, g, p)
		}
		for i := range cs {
			if strings.Contains(cs[i].label, "(") {
				cs[i].label += ")"
			}
		}
		out = append(out, cs...)
	}
	return out, nil
}

// expand makes one candidate per value of p (gene g) from each of cs.
func expand(cs []candidate, g int, p arch.Param) []candidate {
	var out []candidate
	for _, c := range cs {
		for v, val := range p.Values {
			sep := " "
			if !strings.Contains(c.label, "(") {
				sep = "("
			}
			genes := maps.Clone(c.genes)
			genes[g] = v
			out = append(out, candidate{c.label + sep + p.Name + "=" + strconv.Itoa(val), genes})
		}
	}
	return out
}
