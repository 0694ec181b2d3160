package core

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hwnas/hwnas/kernel/transport"
)

// serveStdin hands input replies to the cell waiting for them.
func (k *Kernel) serveStdin(m *transport.Message) {
	if m.Header.MsgType != "input_reply" {
		k.log.Printf("stdin: ignoring unexpected %s", m.Header.MsgType)
		return
	}
	select {
	case k.inputC <- m:
	default:
		k.log.Printf("stdin: dropped an input_reply nobody asked for")
	}
}

// requestInput sends input_request to the frontend that sent req, routed
// with its identities, and waits for the input_reply or an interrupt.
func (k *Kernel) requestInput(ctx context.Context, req *transport.Message, prompt string, password bool) (string, error) {
	for len(k.inputC) > 0 { // a stale reply to an earlier, interrupted request
		<-k.inputC
	}
	k.reply(transport.Stdin, req, "input_request", map[string]any{"prompt": prompt, "password": password})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case m := <-k.inputC:
		var r struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(m.Content, &r); err != nil {
			return "", fmt.Errorf("input_reply content: %w", err)
		}
		return r.Value, nil
	}
}
