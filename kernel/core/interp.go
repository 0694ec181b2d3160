package core

import (
	"context"
	"fmt"
)

// Interpreter is the cell layer the kernel core dispatches requests to. The
// core owns counters, history, status and channels; an Interpreter only sees
// code and an Output bound to the request being served. Shell requests come
// one at a time; a request on the control channel may come while one of
// them is served.
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

// ExpressionEvaluator is implemented by interpreters that can evaluate the
// user_expressions of an execute_request.
type ExpressionEvaluator interface {
	Evaluate(ctx context.Context, expr string) (map[string]any, error)
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
