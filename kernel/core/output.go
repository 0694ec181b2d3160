package core

import "errors"

// Output publishes a cell's output on IOPub, parented to the request.
type Output struct {
	// Count is the cell's execution count, the N of the frontend's In [N]
	// (0 for a cell that is not counted), so errors can name the cell as
	// the user sees it.
	Count int

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
