package kernel

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"sync"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/hwnas/hwnas/kernel/transport"
	"github.com/traefik/yaegi/interp"
)

// displayState binds the display helpers exported to %%go cells to the cell
// being run.
type displayState struct {
	mu      sync.Mutex
	out     *core.Output
	n       int
	results *dslCells // where the plot functions find experiments by name
}

func (d *displayState) bind(out *core.Output) {
	d.mu.Lock()
	d.out = out
	d.mu.Unlock()
}

func (d *displayState) output() *core.Output {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.out == nil {
		return core.NewOutput(func(string, any) {})
	}
	return d.out
}

// show publishes a bundle of one MIME type plus text/plain.
func (d *displayState) show(mime string, content any, plain string) {
	d.output().Display(map[string]any{mime: content, "text/plain": plain}, nil, "")
}

// open publishes a display that can be updated in place and returns its id.
func (d *displayState) open(mime, content string) string {
	d.mu.Lock()
	d.n++
	id := fmt.Sprintf("hwnas-%s-%d", transport.NewUUID()[:8], d.n)
	d.mu.Unlock()
	d.output().Display(map[string]any{mime: content, "text/plain": plainOf(mime, content)}, nil, id)
	return id
}

func (d *displayState) update(id, mime, content string) {
	d.output().Update(map[string]any{mime: content, "text/plain": plainOf(mime, content)}, nil, id)
}

func plainOf(mime, content string) string {
	if mime == "text/plain" || mime == "text/markdown" {
		return content
	}
	return fmt.Sprintf("<%s, %d bytes>", mime, len(content))
}

// jsonBundle checks that v marshals to a JSON object, as application/json requires.
func jsonBundle(v any) (map[string]any, string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "", fmt.Errorf("display.JSON: %w", err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, "", fmt.Errorf("display.JSON: application/json must be an object (a map or struct), got %s", reflect.TypeOf(v))
	}
	indented, _ := json.MarshalIndent(obj, "", "  ")
	return obj, string(indented), nil
}

// displayExports is the "hwnas/display" package seen by %%go cells. Its
// functions take strings, bytes or any, never interpreted named types, which
// yaegi v0.16.1 cannot pass through host interfaces.
func displayExports(d *displayState) interp.Exports {
	syms := map[string]reflect.Value{
		"HTML":     reflect.ValueOf(func(s string) { d.show("text/html", s, plainOf("text/html", s)) }),
		"SVG":      reflect.ValueOf(func(s string) { d.show("image/svg+xml", s, plainOf("image/svg+xml", s)) }),
		"Markdown": reflect.ValueOf(func(s string) { d.show("text/markdown", s, s) }),
		"Text":     reflect.ValueOf(func(s string) { d.output().Display(map[string]any{"text/plain": s}, nil, "") }),
		"PNG": reflect.ValueOf(func(b []byte) {
			d.show("image/png", base64.StdEncoding.EncodeToString(b), plainOf("image/png", string(b)))
		}),
		"JSON": reflect.ValueOf(func(v any) error {
			obj, text, err := jsonBundle(v)
			if err != nil {
				return err
			}
			d.show("application/json", obj, text)
			return nil
		}),
		"Clear":  reflect.ValueOf(func() { d.output().Clear(false) }),
		"Input":  reflect.ValueOf(func(prompt string) (string, error) { return d.output().Input(prompt, false) }),
		"Open":   reflect.ValueOf(d.open),
		"Update": reflect.ValueOf(d.update),
	}
	maps.Copy(syms, plotExports(d))
	return interp.Exports{"hwnas/display/display": syms}
}

// displayDoc documents the display package for %help and inspection.
const displayDoc = `package display (imported in every %%go cell)

  display.HTML(s string)           show HTML
  display.SVG(s string)            show an SVG image
  display.PNG(b []byte)            show a PNG image
  display.Markdown(s string)       show Markdown
  display.JSON(v any) error        show a JSON object (a map or struct)
  display.Text(s string)           show plain text
  display.Clear()                  clear the cell's output
  display.Input(prompt string) (string, error)  ask the user for a line (fmt.Scan works too)
  display.Open(mime, s string) string     show s and return a display id
  display.Update(id, mime, s string)      replace that display in place

Plots (SVG; hover a point for its trial, network and metrics). Experiments
are named: this session's last run, else the store's latest.
  display.Trials(name) error              every trial by status (trained, looked up, cached,
                                          pruned, failed), the front, the constraints;
                                          3+ objectives: a matrix of 2-D projections
  display.Pareto(names ...string) error   Pareto fronts of several experiments overlaid
  display.BestSoFar(names ...string) error  best first objective against trials
  display.Hypervolume(groups map[string][]string) error
                                          hypervolume against trials; a group's runs
                                          (seeds) as a mean line and a min-max band
  display.Decisions(name) error           parallel coordinates of the choices made
  display.Probabilities(name) error       a differentiable search's (fbnet, proxyless)
                                          probability of every candidate per epoch, a panel
                                          per position, and its expected latency
  display.NewChart(title, x, y string) *Chart   your own data:
      c.Scatter(name, xs, ys) / c.Line(…) / c.Band(name, xs, ys, lo, hi) return a
      *Series (set Color, Marker, Dash, Titles); c.VLine(x, label), c.HLine(y, label);
      c.LogX, c.LogY = true, true
  display.Plot(c)                         show a *Chart`
