//go:build !unix

package nn

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
