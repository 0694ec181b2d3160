package dsl

import "github.com/hwnas/hwnas/metric"

// unit is a unit's dimension and its factor to the canonical unit.
type unit struct {
	dim    metric.Dimension
	factor float64
}

// units maps every unit the lexer knows to its dimension and scale.
var units = map[string]unit{
	"ns": {metric.Time, 1e-6}, "us": {metric.Time, 1e-3}, "ms": {metric.Time, 1}, "s": {metric.Time, 1e3}, "min": {metric.Time, 60e3}, "h": {metric.Time, 3600e3},
	"kHz": {metric.Frequency, 1e-3}, "MHz": {metric.Frequency, 1}, "GHz": {metric.Frequency, 1e3},
	"GB/s": {metric.Bandwidth, 1}, "Gb/s": {metric.Bandwidth, 1.0 / 8}, "MB/s": {metric.Bandwidth, 1e-3}, "Mb/s": {metric.Bandwidth, 1.0 / 8000},
	"W": {metric.Power, 1}, "mW": {metric.Power, 1e-3},
	"J": {metric.Energy, 1e3}, "mJ": {metric.Energy, 1}, "uJ": {metric.Energy, 1e-3},
	"fps": {metric.Rate, 1},
	"%":   {metric.Fraction, 0.01},
}

// canonicalUnit names the unit a dimension is stored in.
var canonicalUnit = map[metric.Dimension]string{
	metric.Time: "ms", metric.Frequency: "MHz", metric.Bandwidth: "GB/s", metric.Power: "W", metric.Energy: "mJ", metric.Rate: "fps", metric.Fraction: "%",
}

// unitsOf lists the units of a dimension, for error messages.
var unitsOf = map[metric.Dimension]string{
	metric.Time: "ns, us, ms, s, min, h", metric.Frequency: "kHz, MHz, GHz", metric.Bandwidth: "GB/s, Gb/s, MB/s, Mb/s",
	metric.Power: "W, mW", metric.Energy: "J, mJ, uJ", metric.Rate: "fps", metric.Fraction: "%",
}
