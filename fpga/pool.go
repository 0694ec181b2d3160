package fpga

import (
	"fmt"
	"strings"
)

// Pool is a set of devices for multi-FPGA designs, in pipeline order
// (devices may repeat), joined by links of LinkGBs each way between
// neighbouring devices.
type Pool struct {
	Devices []Platform `json:"devices"`
	LinkGBs float64    `json:"link_gbs"` // inter-FPGA link bandwidth, GB/s
}

// NewPool looks up names (a name may repeat) and joins them with linkGBs links.
func NewPool(linkGBs float64, names ...string) (Pool, error) {
	p := Pool{LinkGBs: linkGBs}
	for _, n := range names {
		d, err := Lookup(n)
		if err != nil {
			return Pool{}, fmt.Errorf("pool: %w", err)
		}
		p.Devices = append(p.Devices, d)
	}
	return p, p.Validate()
}

// Validate checks that the pool has devices, valid platforms and, when it has
// more than one device, a positive link bandwidth.
func (p Pool) Validate() error {
	if len(p.Devices) == 0 {
		return fmt.Errorf("pool has no devices")
	}
	for i, d := range p.Devices {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("pool device %d: %w", i, err)
		}
	}
	if len(p.Devices) > 1 && p.LinkGBs <= 0 {
		return fmt.Errorf("pool of %d devices: link bandwidth %g GB/s must be positive", len(p.Devices), p.LinkGBs)
	}
	return nil
}

func (p Pool) String() string {
	names := make([]string, len(p.Devices))
	for i, d := range p.Devices {
		names[i] = d.Name
	}
	return fmt.Sprintf("%s link=%gGB/s", strings.Join(names, "+"), p.LinkGBs)
}
