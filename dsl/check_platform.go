package dsl

import (
	"maps"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
)

var platformKeys = []string{"clock", "precision", "dsp", "bram", "uram", "lut", "ff", "bandwidth", "ports", "static", "family"}

// catalog looks a board up in the fpga catalog, reporting an unknown name
// with the catalog's suggestions.
func (c *checker) catalog(v *syntax.Value, name string) (fpga.Platform, bool) {
	p, err := fpga.Lookup(name)
	if err != nil {
		c.errAt(v, "unknown catalog platform %q%s (`hwnas platforms` lists them)", name, didYouMean(name, catalogNames()))
		return fpga.Platform{}, false
	}
	return p, true
}

// catalogNames lists the catalog names and aliases.
func catalogNames() []string {
	var out []string
	for _, p := range fpga.Catalog() {
		out = append(out, p.Name)
		out = append(out, p.Aliases...)
	}
	return out
}

var families = map[string]fpga.Family{"series7": fpga.Series7, "ultrascale": fpga.UltraScale, "intel": fpga.Intel}

// platform checks `platform NAME [from "BOARD"] { … }`. A custom device
// (no from) must give dsp, bram, lut, bandwidth and clock; its power
// coefficients come from the first catalog board of its family.
func (c *checker) platform(d *syntax.PlatformDecl) *Platform {
	p := &Platform{Name: d.Name.Text, Precision: defaultPrecision, Pos: d.Name.Pos}
	fs := c.fieldSet(d.Body, "platform "+p.Name, platformKeys)
	ok := true
	if d.From != nil {
		v := &syntax.Value{Pos: d.From.Pos, EndPos: d.From.EndPos, Str: &d.From.Text}
		dev, k := c.catalog(v, d.From.Text)
		if !k {
			return nil
		}
		p.Device, p.Catalog = dev, dev.Name
		if f := fs["family"]; f != nil {
			c.errorf(f.Pos, f.EndPos, "family comes from the catalog entry %s; it cannot be overridden", dev.Name)
			ok = false
		}
	} else {
		fam := fpga.Series7
		if f := fs["family"]; f != nil {
			s, k := c.oneOf(f.Value, "family", slices.Sorted(maps.Keys(families)))
			if !k {
				return nil
			}
			fam = families[s]
		}
		for _, base := range fpga.Catalog() {
			if base.Family == fam {
				p.Device = base // power coefficients and defaults of the family
				break
			}
		}
		p.Device.Name, p.Device.Aliases, p.Device.Device, p.Device.Family = p.Name, nil, "custom", fam
		p.Device.URAM, p.Device.FF = 0, 0
		var missing []string
		for _, k := range []string{"dsp", "bram", "lut", "bandwidth", "clock"} {
			if fs[k] == nil {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			c.errorf(d.Name.Pos, d.Name.EndPos, "custom platform %s needs %s (or derive it from the catalog: platform %s from \"PYNQ-Z1\" { … })",
				p.Name, strings.Join(missing, ", "), p.Name)
			ok = false
		}
	}
	for _, k := range platformKeys {
		f := fs[k]
		if f == nil {
			continue
		}
		var good bool
		switch k {
		case "clock":
			p.Device.ClockMHz, good = c.positive(f.Value, metric.Frequency, "clock")
		case "bandwidth":
			p.Device.BandwidthGBs, good = c.positive(f.Value, metric.Bandwidth, "bandwidth")
		case "static":
			p.Device.StaticW, good = c.quantity(f.Value, metric.Power, "static power")
			if good && p.Device.StaticW < 0 {
				c.errAt(f.Value, "static power must not be negative")
				good = false
			}
		case "precision":
			if f.Op == "in" {
				c.errorf(f.Pos, f.EndPos, "precision takes one value: write precision = int16")
				break
			}
			p.Precision, good = c.precision(f.Value)
		case "dsp":
			p.Device.DSP, good = c.integer(f.Value, "dsp", 1)
		case "bram":
			p.Device.BRAM18, good = c.integer(f.Value, "bram", 1)
		case "uram":
			p.Device.URAM, good = c.integer(f.Value, "uram", 0)
		case "lut":
			p.Device.LUT, good = c.integer(f.Value, "lut", 1)
		case "ff":
			p.Device.FF, good = c.integer(f.Value, "ff", 0)
		case "ports":
			p.Device.PortBits, good = c.integer(f.Value, "ports", 1)
		case "family":
			good = true
		}
		ok = ok && good
	}
	if !ok {
		return nil
	}
	if err := p.Device.Validate(); err != nil {
		c.errorf(d.Name.Pos, d.Name.EndPos, "%v", err)
		return nil
	}
	return p
}

func (c *checker) precision(v *syntax.Value) (fpga.Precision, bool) {
	s, ok := c.name(v, "precision")
	if !ok {
		return 0, false
	}
	p, err := fpga.ParsePrecision(s)
	if err != nil {
		var names []string
		for _, q := range fpga.Precisions() {
			names = append(names, q.String())
		}
		c.errAt(v, "unknown precision %s%s; want %s", s, didYouMean(s, names), orList(names))
		return 0, false
	}
	return p, true
}

// device resolves a pool member: a catalog string or a declared platform.
func (c *checker) device(v *syntax.Value) (fpga.Platform, bool) {
	switch {
	case v.Str != nil:
		return c.catalog(v, *v.Str)
	case v.Ref != nil && !v.Ref.Call:
		d, ok := c.lookup(&syntax.Name{Pos: v.Pos, EndPos: v.EndPos, Text: v.Ref.Name}, "platform")
		if !ok {
			return fpga.Platform{}, false
		}
		if p := c.spec.Platforms[d.name.Text]; p != nil {
			return p.Device, true
		}
		return fpga.Platform{}, false // its own errors are reported
	}
	c.errAt(v, "a device is a catalog name in quotes or a platform name, not %s", describeValue(v))
	return fpga.Platform{}, false
}

// poolBody checks `{ "ZCU102" x 2, pynq  link = 10 Gb/s  precision = int16 }`.
func (c *checker) poolBody(b *syntax.PoolBody) *Pool {
	p := &Pool{Pool: fpga.Pool{}, Precision: fpga.Int16, Pos: b.Pos}
	ok, link := true, false
	for _, it := range b.Items {
		if it.Set != nil {
			key, k := c.name(it.Device, "pool setting")
			if !k {
				ok = false
				continue
			}
			switch key {
			case "link":
				p.Pool.LinkGBs, k = c.positive(it.Set, metric.Bandwidth, "link")
				link = true
			case "precision":
				p.Precision, k = c.precision(it.Set)
			default:
				c.errAt(it.Device, "a pool has no setting %s%s; it takes link or precision", key, didYouMean(key, []string{"link", "precision"}))
				k = false
			}
			ok = ok && k
			continue
		}
		dev, k := c.device(it.Device)
		n := 1
		if it.Count != nil {
			var kc bool
			n, kc = c.integer(it.Count, "device count", 1)
			k = k && kc
			if kc && n > 64 {
				c.errAt(it.Count, "at most 64 copies of one device, not %d", n)
				k = false
			}
		}
		if !k {
			ok = false
			continue
		}
		for i := 0; i < n; i++ {
			p.Pool.Devices = append(p.Pool.Devices, dev)
		}
	}
	if !ok {
		return nil
	}
	if len(p.Pool.Devices) == 0 {
		c.errorf(b.Pos, b.EndPos, "the pool has no devices")
		return nil
	}
	if !link && len(p.Pool.Devices) > 1 {
		c.errorf(b.Pos, b.EndPos, "a pool of %d devices needs the link bandwidth between them, e.g. link = 10 Gb/s", len(p.Pool.Devices))
		return nil
	}
	if err := p.Pool.Validate(); err != nil {
		c.errorf(b.Pos, b.EndPos, "%v", err)
		return nil
	}
	return p
}

var hwSearchKeys = []string{"devices", "link", "precision", "partition", "tiling"}

// hardwareSearch checks `hardware search { devices in {…} link = … precision in {…} partition = true tiling = true }`.
func (c *checker) hardwareSearch(fs *syntax.Fields) *HardwareSearch {
	h := &HardwareSearch{Partition: true, Tiling: true, LinkGBs: 0}
	m := c.fieldSet(fs, "hardware search", hwSearchKeys)
	ok := true
	if f := m["devices"]; f != nil {
		if f.Value.Set == nil {
			c.errAt(f.Value, "devices takes a set of catalog names or platforms, e.g. devices in {\"ZCU102\", \"ZC706\"}")
			ok = false
		} else {
			for _, e := range f.Value.Set.Elems {
				dev, k := c.device(e)
				ok = ok && k
				if k {
					h.Devices = append(h.Devices, dev)
				}
			}
		}
	} else {
		c.errorf(fs.Pos, fs.EndPos, "hardware search needs devices in {…}")
		ok = false
	}
	if f := m["link"]; f != nil {
		var k bool
		h.LinkGBs, k = c.positive(f.Value, metric.Bandwidth, "link")
		ok = ok && k
	} else if len(h.Devices) > 1 {
		c.errorf(fs.Pos, fs.EndPos, "hardware search over %d devices needs the link bandwidth, e.g. link = 10 Gb/s", len(h.Devices))
		ok = false
	}
	if f := m["precision"]; f != nil {
		elems := []*syntax.Value{f.Value}
		if f.Value.Set != nil {
			elems = f.Value.Set.Elems
		}
		for _, e := range elems {
			p, k := c.precision(e)
			ok = ok && k
			h.Precisions = append(h.Precisions, p)
		}
	} else {
		h.Precisions = []fpga.Precision{fpga.Int16}
	}
	for _, k := range []string{"partition", "tiling"} {
		if f := m[k]; f != nil {
			b, good := c.boolean(f.Value, k)
			ok = ok && good
			if k == "partition" {
				h.Partition = b
			} else {
				h.Tiling = b
			}
		}
	}
	if !ok {
		return nil
	}
	return h
}

// defaultPrecision is the data precision when a platform names none: 16-bit
// fixed point, as in FNAS (DAC 2019).
const defaultPrecision = fpga.Int16
