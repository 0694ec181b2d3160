//go:build !linux

package nn

// systemLimits knows no system limit outside Linux: GOMEMLIMIT is the only
// bound there.
func systemLimits() []memoryBound { return nil }
