package engine

import "maps"

// Metrics are a trial's measured values by stored key (see package metric).
type Metrics map[string]float64

func (m Metrics) clone() Metrics { return maps.Clone(m) }

func (m Metrics) merge(o Metrics) { maps.Copy(m, o) }
