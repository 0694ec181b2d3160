package nn

import (
	"fmt"
	"math"
	"runtime/debug"
)

// MachineMemoryLimit is the memory a training run may take on this machine:
// three quarters of the least of the physical memory, the memory limit of
// the process's cgroup, its address-space limit (ulimit -v) and the Go
// runtime's soft limit (GOMEMLIMIT, the setting to lower it with). The
// quarter left is for the data sets, the runtime and the rest of the
// process. from says which bound it is, for error messages; limit is 0 when
// no bound is known.
func MachineMemoryLimit() (limit int64, from string) {
	limit, from = math.MaxInt64, ""
	take := func(v int64, what string) {
		if v > 0 && v < limit {
			limit, from = v, what
		}
	}
	take(debug.SetMemoryLimit(-1), "GOMEMLIMIT")
	for _, b := range systemLimits() {
		take(b.bytes, b.what)
	}
	if from == "" {
		return 0, ""
	}
	return limit / 4 * 3, fmt.Sprintf("3/4 of %s %s", from, BytesHuman(limit))
}

// memoryBound is one limit the system puts on the process's memory.
type memoryBound struct {
	bytes int64
	what  string
}
