package kernel

import (
	"context"
	"errors"
	"fmt"
)

// Interpreter is the cell layer the kernel core dispatches requests to. The
// core owns counters, history, status and channels; an Interpreter only sees
// code and an Output bound to the request being served.
type Interpreter interface {
	// Info describes the language for kernel_info_reply.
	Info() LanguageInfo
	// Execute runs one cell. Cancelling ctx interrupts it. A *CellError
	// reports a failure shown to the user; any other error is wrapped into one.
	Execute(ctx context.Context, code string, out *Output) (*ExecResult, error)
	// Complete returns matches for the code before cursor (a byte offset).
	Complete(code string, cursor int) Completion
	// Inspect returns a MIME bundle describing the name at cursor.
	Inspect(code string, cursor, detail int) (data map[string]any, found bool)
	// IsComplete reports complete, incomplete (with an indent), invalid or unknown.
	IsComplete(code string) (status, indent string)
}

// LanguageInfo is the language part of kernel_info_reply.
type LanguageInfo struct {
	Name          string `json:"name"`
	Version       string `json:"version"`
	Mimetype      string `json:"mimetype"`
	FileExtension string `json:"file_extension"`
	Pygments      string `json:"pygments_lexer,omitempty"`
	CodeMirror    string `json:"codemirror_mode,omitempty"`
	Banner        string `json:"-"`
}

// ExecResult is what a successful cell returns: an optional execute_result
// bundle (which must hold text/plain) and optional payloads (the pager).
type ExecResult struct {
	Data     map[string]any
	Metadata map[string]any
	Payload  []map[string]any
}

// Completion is the content of a complete_reply; positions are byte offsets.
type Completion struct {
	Matches     []string
	CursorStart int
	CursorEnd   int
}

// CellError is an error shown to the user as an error message with a traceback.
type CellError struct {
	Name      string
	Value     string
	Traceback []string
}

func (e *CellError) Error() string { return e.Name + ": " + e.Value }

// asCellError turns any error into a CellError.
func asCellError(err error) *CellError {
	if ce, ok := err.(*CellError); ok {
		if ce.Traceback == nil {
			ce.Traceback = []string{ce.Name + ": " + ce.Value}
		}
		return ce
	}
	if err == context.Canceled {
		return &CellError{Name: "Interrupted", Value: "the cell was interrupted", Traceback: []string{"Interrupted: the cell was interrupted"}}
	}
	return &CellError{Name: "Error", Value: err.Error(), Traceback: []string{fmt.Sprintf("Error: %v", err)}}
}

// Output publishes a cell's output on IOPub, parented to the request.
type Output struct {
	send  func(msgType string, content any)
	input func(prompt string, password bool) (string, error)
}

// ErrNoStdin is returned by Input when the frontend does not accept input.
var ErrNoStdin = errors.New("this frontend does not accept input (allow_stdin is false)")

// Input asks the frontend for a line of input through the stdin channel.
func (o *Output) Input(prompt string, password bool) (string, error) {
	if o.input == nil {
		return "", ErrNoStdin
	}
	return o.input(prompt, password)
}

// NewOutput returns an Output that hands every message to send. The kernel
// core binds it to IOPub; tests bind it to a recorder.
func NewOutput(send func(msgType string, content any)) *Output { return &Output{send: send} }

// Stream writes text to the stdout or stderr stream.
func (o *Output) Stream(name, text string) {
	if text == "" {
		return
	}
	o.send("stream", map[string]any{"name": name, "text": text})
}

// Display publishes a rich display. With a non-empty id it can later be
// replaced in place by Update.
func (o *Output) Display(data, metadata map[string]any, id string) {
	o.send("display_data", displayContent(data, metadata, id))
}

// Update replaces the display published earlier with the same id.
func (o *Output) Update(data, metadata map[string]any, id string) {
	o.send("update_display_data", displayContent(data, metadata, id))
}

// Clear clears the cell's output; with wait the clear happens at the next output.
func (o *Output) Clear(wait bool) {
	o.send("clear_output", map[string]any{"wait": wait})
}

func displayContent(data, metadata map[string]any, id string) map[string]any {
	if metadata == nil {
		metadata = map[string]any{}
	}
	c := map[string]any{"data": data, "metadata": metadata, "transient": map[string]any{}}
	if id != "" {
		c["transient"] = map[string]any{"display_id": id}
	}
	return c
}
