package dsl

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
)

var platformKeys = []string{"clock", "precision", "dsp", "bram", "uram", "lut", "ff", "bandwidth", "ports", "static", "family"}

// catalog looks a board up in the fpga catalog, reporting an unknown name
// with the name it is a typo of or else the catalog's nearest boards.
func (c *checker) catalog(v *syntax.Value, name string) (fpga.Platform, bool) {
	p, err := fpga.Lookup(name)
	if err != nil {
		c.errAt(v, "unknown catalog platform %q%s", name, nearestBoards(name))
		return fpga.Platform{}, false
	}
	return p, true
}

// nearestBoards suggests catalog boards for an unknown one: the board
// whose name or alias it is a typo of, or else the three nearest that
// fpga.Closest ranks (so the checker and fpga.Lookup suggest alike), and
// where to see them all.
func nearestBoards(name string) string {
	all := fmt.Sprintf(" (`hwnas platforms` lists all %d)", len(fpga.Names()))
	if s := didYouMean(name, catalogNames()); s != "" {
		return s + all
	}
	return "; the nearest are " + strings.Join(fpga.Closest(name, 3), ", ") + all
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

// platform checks `platform NAME [from "BOARD"] { … }` of file.
func (c *checker) platform(d *syntax.PlatformDecl, file *syntax.File) *Platform {
	p := &Platform{Name: d.Name.Text, Precision: defaultPrecision, Pos: d.Name.Pos}
	fs := c.fieldSet(d.Body, "platform "+p.Name, append(slices.Clone(platformKeys), "calibration"))
	if f := fs["calibration"]; f != nil {
		p.Calibration = c.calibration(f.Value, file)
	}
	n := len(c.errs)
	if d.From != nil && !c.fromCatalog(p, d.From, fs["family"]) || d.From == nil && !c.customDevice(p, d.Name, fs) {
		return nil
	}
	for _, k := range platformKeys {
		if f := fs[k]; f != nil {
			c.platformSetting(p, k, f)
		}
	}
	if len(c.errs) > n {
		return nil
	}
	if err := p.Device.Validate(); err != nil {
		c.errorf(d.Name.Pos, d.Name.EndPos, "%v", err)
		return nil
	}
	return p
}

// fromCatalog starts p from the catalog board `from "BOARD"`, whose family
// cannot be overridden. It reports false when the board is unknown.
func (c *checker) fromCatalog(p *Platform, from *syntax.Str, family *syntax.Field) bool {
	dev, ok := c.catalog(&syntax.Value{Pos: from.Pos, EndPos: from.EndPos, Str: &from.Text}, from.Text)
	if !ok {
		return false
	}
	p.Device, p.Catalog = dev, dev.Name
	if family != nil {
		c.errorf(family.Pos, family.EndPos, "family comes from the catalog entry %s; it cannot be overridden", dev.Name)
	}
	return true
}

// customDevice starts p as a custom device: it must give dsp, bram, lut,
// bandwidth and clock; its power coefficients come from the first catalog
// board of its family. It reports false when the family is unknown.
func (c *checker) customDevice(p *Platform, name *syntax.Name, fs map[string]*syntax.Field) bool {
	fam := fpga.Series7
	if f := fs["family"]; f != nil {
		s, ok := c.oneOf(f.Value, "family", slices.Sorted(maps.Keys(families)))
		if !ok {
			return false
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
		c.errorf(name.Pos, name.EndPos, "custom platform %s needs %s (or derive it from the catalog: platform %s from \"PYNQ-Z1\" { … })",
			p.Name, strings.Join(missing, ", "), p.Name)
	}
	return true
}

// platformSetting reads one setting of a platform into p.
func (c *checker) platformSetting(p *Platform, key string, f *syntax.Field) {
	d := &p.Device
	switch key {
	case "clock":
		d.ClockMHz, _ = c.positive(f.Value, metric.Frequency, "clock")
	case "bandwidth":
		d.BandwidthGBs, _ = c.positive(f.Value, metric.Bandwidth, "bandwidth")
	case "static":
		var ok bool
		if d.StaticW, ok = c.quantity(f.Value, metric.Power, "static power"); ok && d.StaticW < 0 {
			c.errAt(f.Value, "static power must not be negative")
		}
	case "precision":
		if f.Op == "in" {
			c.errorf(f.Pos, f.EndPos, "precision takes one value: write precision = int16")
			return
		}
		p.Precision, _ = c.precision(f.Value)
	case "dsp":
		d.DSP, _ = c.integer(f.Value, "dsp", 1)
	case "bram":
		d.BRAM18, _ = c.integer(f.Value, "bram", 1)
	case "uram":
		d.URAM, _ = c.integer(f.Value, "uram", 0)
	case "lut":
		d.LUT, _ = c.integer(f.Value, "lut", 1)
	case "ff":
		d.FF, _ = c.integer(f.Value, "ff", 0)
	case "ports":
		d.PortBits, _ = c.integer(f.Value, "ports", 1)
	}
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
	n := len(c.errs)
	p := &Pool{Pool: fpga.Pool{}, Precision: fpga.Int16, Pos: b.Pos}
	link, resolved := false, true // resolved: every platform it names was checked without errors
	for _, it := range b.Items {
		if it.Set != nil {
			link = c.poolSetting(p, it) == "link" || link
			continue
		}
		dev, ok := c.device(it.Device)
		resolved = resolved && ok
		for range c.deviceCount(it.Count) {
			p.Pool.Devices = append(p.Pool.Devices, dev)
		}
	}
	if len(c.errs) > n || !resolved {
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

// poolSetting reads `link = …` or `precision = …` of a pool and returns the key.
func (c *checker) poolSetting(p *Pool, it *syntax.PoolItem) string {
	key, ok := c.name(it.Device, "pool setting")
	if !ok {
		return ""
	}
	switch key {
	case "link":
		p.Pool.LinkGBs, _ = c.positive(it.Set, metric.Bandwidth, "link")
	case "precision":
		p.Precision, _ = c.precision(it.Set)
	default:
		c.errAt(it.Device, "a pool has no setting %s%s; it takes link or precision", key, didYouMean(key, []string{"link", "precision"}))
	}
	return key
}

// deviceCount reads the count of `"ZCU102" x 2`: 1 when there is none, 0
// after an error.
func (c *checker) deviceCount(v *syntax.Value) int {
	if v == nil {
		return 1
	}
	n, ok := c.integer(v, "device count", 1)
	if ok && n > 64 {
		c.errAt(v, "at most 64 copies of one device, not %d", n)
		return 0
	}
	return n
}

var hwSearchKeys = []string{"devices", "link", "precision", "partition", "tiling"}

// hardwareSearch checks `hardware search { devices in {…} link = … precision in {…} partition = true tiling = true }`.
func (c *checker) hardwareSearch(fs *syntax.Fields) *HardwareSearch {
	h := &HardwareSearch{Partition: true, Tiling: true, Precisions: []fpga.Precision{fpga.Int16}}
	m := c.fieldSet(fs, "hardware search", hwSearchKeys)
	n := len(c.errs)
	resolved := c.searchDevices(h, fs, m["devices"])
	if f := m["link"]; f != nil {
		h.LinkGBs, _ = c.positive(f.Value, metric.Bandwidth, "link")
	} else if len(h.Devices) > 1 {
		c.errorf(fs.Pos, fs.EndPos, "hardware search over %d devices needs the link bandwidth, e.g. link = 10 Gb/s", len(h.Devices))
	}
	if f := m["precision"]; f != nil {
		elems := []*syntax.Value{f.Value}
		if f.Value.Set != nil {
			elems = f.Value.Set.Elems
		}
		h.Precisions = nil
		for _, e := range elems {
			p, _ := c.precision(e)
			h.Precisions = append(h.Precisions, p)
		}
	}
	if f := m["partition"]; f != nil {
		h.Partition, _ = c.boolean(f.Value, "partition")
	}
	if f := m["tiling"]; f != nil {
		h.Tiling, _ = c.boolean(f.Value, "tiling")
	}
	if len(c.errs) > n || !resolved {
		return nil
	}
	return h
}

// searchDevices reads `devices in {…}` into h. It reports false when a
// device does not resolve, which a platform that failed its own check does
// without a new error.
func (c *checker) searchDevices(h *HardwareSearch, fs *syntax.Fields, f *syntax.Field) bool {
	if f == nil {
		c.errorf(fs.Pos, fs.EndPos, "hardware search needs devices in {…}")
		return true
	}
	if f.Value.Set == nil {
		c.errAt(f.Value, "devices takes a set of catalog names or platforms, e.g. devices in {\"ZCU102\", \"ZC706\"}")
		return true
	}
	resolved := true
	for _, e := range f.Value.Set.Elems {
		dev, ok := c.device(e)
		if ok {
			h.Devices = append(h.Devices, dev)
		}
		resolved = resolved && ok
	}
	return resolved
}

// defaultPrecision is the data precision when a platform names none: 16-bit
// fixed point, as in FNAS (DAC 2019).
const defaultPrecision = fpga.Int16

// calibration reads `calibration = "file.json"`, a file `hwnas calibrate`
// wrote, relative to the spec.
func (c *checker) calibration(v *syntax.Value, file *syntax.File) *fpga.Calibration {
	path, ok := c.str(v, "calibration")
	if !ok {
		return nil
	}
	cal, err := fpga.ReadCalibration(resolvePath(file, path))
	if err != nil {
		c.errAt(v, "%v", err)
		return nil
	}
	return &cal
}
