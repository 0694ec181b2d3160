package nn

import (
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// systemLimits are the physical memory, the cgroup's memory limit (v2, then
// v1) and the address-space limit.
func systemLimits() []memoryBound {
	var out []memoryBound
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		out = append(out, memoryBound{int64(si.Totalram) * int64(si.Unit), "the machine's"})
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
				out = append(out, memoryBound{v, "the cgroup's limit"})
			}
		}
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur < math.MaxInt64 {
		out = append(out, memoryBound{int64(rl.Cur), "the address-space limit (ulimit -v)"})
	}
	return out
}
