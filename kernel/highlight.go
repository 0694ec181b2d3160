package kernel

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hwnas/hwnas/dsl"
)

// kernelJSTemplate is the CodeMirror 5 mode of hwnas cells that Jupyter
// Notebook 6 loads from the kernelspec directory; {{WORDS}} stands for the
// language's words.
//
//go:embed assets/kernel.js
var kernelJSTemplate string

// KernelJS returns the kernelspec's kernel.js: the "hwnas" CodeMirror mode
// with the words of dsl.HighlightWords, so that highlighting never lags
// behind the language.
func KernelJS() ([]byte, error) {
	w := dsl.HighlightWords()
	words, err := json.Marshal(map[string][]string{"keywords": w.Keywords, "builtins": w.Builtins, "metrics": w.Metrics, "units": w.Units})
	if err != nil {
		return nil, fmt.Errorf("kernel install: encode the highlighting words: %w", err)
	}
	if !strings.Contains(kernelJSTemplate, "{{WORDS}}") {
		return nil, fmt.Errorf("kernel install: kernel.js template has no {{WORDS}}")
	}
	return []byte(strings.Replace(kernelJSTemplate, "{{WORDS}}", string(words), 1)), nil
}
