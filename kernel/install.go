package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KernelName is the directory name of the kernelspec.
const KernelName = "hwnas"

// InstallOptions choose where the kernelspec goes.
type InstallOptions struct {
	Binary string // absolute path of the hwnas binary ("" = this executable)
	User   bool   // install for the current user (JUPYTER_DATA_DIR honoured)
	Prefix string // install under PREFIX/share/jupyter/kernels
}

// KernelSpec is the content of kernel.json.
type KernelSpec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env"`
	Metadata      map[string]any    `json:"metadata"`
}

// Spec returns the kernelspec for a binary path.
func Spec(binary string) KernelSpec {
	return KernelSpec{
		Argv:          []string{binary, "kernel", "--connection-file", "{connection_file}"},
		DisplayName:   "hwnas",
		Language:      "hwnas",
		InterruptMode: "message",
		Env:           map[string]string{},
		Metadata:      map[string]any{"debugger": false},
	}
}

// KernelsDir returns the kernels directory an install with o writes to:
// PREFIX/share/jupyter/kernels with a prefix; the user data directory
// (JUPYTER_DATA_DIR, else the platform default) with User; otherwise the
// first JUPYTER_PATH entry, else the system directory /usr/local/share/jupyter.
func KernelsDir(o InstallOptions) (string, error) {
	switch {
	case o.Prefix != "" && o.User:
		return "", errors.New("kernel install: --user and --prefix exclude each other")
	case o.Prefix != "":
		p, err := filepath.Abs(o.Prefix)
		if err != nil {
			return "", fmt.Errorf("kernel install: prefix %q: %w", o.Prefix, err)
		}
		return filepath.Join(p, "share", "jupyter", "kernels"), nil
	case o.User:
		d, err := userDataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "kernels"), nil
	}
	if jp := os.Getenv("JUPYTER_PATH"); jp != "" {
		first, _, _ := strings.Cut(jp, string(os.PathListSeparator))
		if first != "" {
			return filepath.Join(first, "kernels"), nil
		}
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("PROGRAMDATA"), "jupyter", "kernels"), nil
	}
	return "/usr/local/share/jupyter/kernels", nil
}

// userDataDir is Jupyter's per-user data directory (jupyter_core.paths).
func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kernel install: no home directory for --user: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// Install writes the kernelspec (kernel.json, kernel.js and logos) and
// returns its directory.
func Install(o InstallOptions) (string, error) {
	bin := o.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("kernel install: locate the hwnas binary: %w", err)
		}
		bin = exe
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return "", fmt.Errorf("kernel install: binary path %q: %w", o.Binary, err)
	}
	if resolved, err := filepath.EvalSymlinks(bin); err == nil {
		bin = resolved
	}
	base, err := KernelsDir(o)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, KernelName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernel install: %w", err)
	}
	spec, err := json.MarshalIndent(Spec(bin), "", "  ")
	if err != nil {
		return "", fmt.Errorf("kernel install: encode kernel.json: %w", err)
	}
	js, err := KernelJS()
	if err != nil {
		return "", err
	}
	files := map[string][]byte{"kernel.json": append(spec, '\n'), "logo-svg.svg": []byte(logoSVG), "kernel.js": js}
	for _, size := range []int{32, 64} {
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = logoPNG(size)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", fmt.Errorf("kernel install: %w", err)
		}
	}
	return dir, nil
}

// logoSVG is the hwnas logo: a 3×3 grid of FPGA logic blocks with a network
// path through it.
const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" rx="8" fill="#1d3557"/>
<g fill="#a8dadc">
<rect x="8" y="8" width="12" height="12"/><rect x="26" y="8" width="12" height="12"/><rect x="44" y="8" width="12" height="12"/>
<rect x="8" y="26" width="12" height="12"/><rect x="26" y="26" width="12" height="12"/><rect x="44" y="26" width="12" height="12"/>
<rect x="8" y="44" width="12" height="12"/><rect x="26" y="44" width="12" height="12"/><rect x="44" y="44" width="12" height="12"/>
</g>
<polyline points="14,14 32,32 50,14 50,50" fill="none" stroke="#e63946" stroke-width="4"/>
</svg>
`

// logoPNG draws the logo at size×size pixels: the SVG's 3×3 grid of blocks
// and its red path, rasterised in 64-unit logo coordinates.
func logoPNG(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg := color.RGBA{0x1d, 0x35, 0x57, 0xff}
	cell := color.RGBA{0xa8, 0xda, 0xdc, 0xff}
	red := color.RGBA{0xe6, 0x39, 0x46, 0xff}
	inBlock := func(v float64) bool {
		for _, o := range []float64{8, 26, 44} {
			if v >= o && v < o+12 {
				return true
			}
		}
		return false
	}
	abs := func(v float64) float64 { return max(v, -v) }
	for y := range size {
		for x := range size {
			u, v := (float64(x)+0.5)*64/float64(size), (float64(y)+0.5)*64/float64(size)
			c := bg
			if inBlock(u) && inBlock(v) {
				c = cell
			}
			onPath := u >= 14 && u <= 32 && abs(u-v) <= 2.5 || // (14,14)-(32,32)
				u >= 32 && u <= 50 && abs(u+v-64) <= 2.5 || // (32,32)-(50,14)
				abs(u-50) <= 2 && v >= 14 && v <= 50 // (50,14)-(50,50)
			if onPath {
				c = red
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(fmt.Sprintf("encode logo: %v", err)) // encoding an in-memory RGBA image cannot fail
	}
	return b.Bytes()
}
