package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
)

// specNetwork decodes --genome in the space --space of the spec --spec.
func specNetwork(f *estimateFlags) (*arch.Network, string, error) {
	spec, err := loadSpec(f.spec)
	if err != nil {
		return nil, "", err
	}
	name := f.space
	if name == "" {
		names := slices.Sorted(maps.Keys(spec.Spaces))
		if len(names) != 1 {
			return nil, "", usageErr("--spec %s declares %d spaces (%s): pick one with --space", f.spec, len(names), strings.Join(names, ", "))
		}
		name = names[0]
	}
	sp, ok := spec.Spaces[name]
	if !ok || sp.Space == nil {
		return nil, "", usageErr("--space %q: %s declares no such space", name, f.spec)
	}
	ds := sp.Space.Decisions()
	genome := make([]int, len(ds))
	if f.genome != "" {
		parts := strings.Split(f.genome, ",")
		if len(parts) != len(ds) {
			return nil, "", usageErr("--genome has %d values; space %s has %d decisions", len(parts), name, len(ds))
		}
		for i, p := range parts {
			g, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || g < 0 || g >= len(ds[i].Choices) {
				return nil, "", usageErr("--genome value %d (%s) is %q: want 0..%d (%s)", i+1, ds[i].Name, p, len(ds[i].Choices)-1, strings.Join(ds[i].Choices, ", "))
			}
			genome[i] = g
		}
	}
	n, err := sp.Space.Decode(genome)
	if err != nil {
		return nil, "", usageErr("--genome: %v", err)
	}
	return n, fmt.Sprintf("%s %v", name, genome), nil
}
