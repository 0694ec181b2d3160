package core

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hwnas/hwnas/kernel/transport"
)

// executeRequest is the content of an execute_request.
type executeRequest struct {
	Code         string            `json:"code"`
	Silent       bool              `json:"silent"`
	AllowStdin   bool              `json:"allow_stdin"`
	StoreHistory *bool             `json:"store_history"`
	StopOnError  *bool             `json:"stop_on_error"`
	UserExpr     map[string]string `json:"user_expressions"`
}

// execute runs an execute_request: counter, execute_input echo, outputs,
// error or result, history, and abort of queued cells after an error.
func (k *Kernel) execute(ch transport.Channel, m *transport.Message) (any, error) {
	var req executeRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, fmt.Errorf("execute_request content: %w", err)
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	ctx, count, end := k.startCell(store)
	defer end()
	publish := func(msgType string, content any) {
		if !req.Silent {
			k.t.Publish(msgType, m.HeaderRaw, content)
		}
	}
	publish("execute_input", map[string]any{"code": req.Code, "execution_count": count})
	out := NewOutput(publish)
	out.Count = count
	if req.AllowStdin {
		out.input = func(prompt string, password bool) (string, error) { return k.requestInput(ctx, m, prompt, password) }
	}
	res, err := k.runCell(ctx, req.Code, out)
	var reply map[string]any
	entry := histEntry{line: count, input: req.Code}
	if err != nil {
		ce := asCellError(err)
		publish("error", map[string]any{"ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback})
		reply = map[string]any{"status": "error", "ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback, "execution_count": count}
		entry.output = ce.Error()
		if ch == transport.Shell && (req.StopOnError == nil || *req.StopOnError) {
			// Now, before the reply goes out: a request the client sends
			// once it has read the reply must run.
			k.abortN = len(k.shellQ)
		}
	} else {
		reply, entry.output = k.succeeded(ctx, req, res, count, publish)
	}
	if store {
		k.hist.add(entry)
	}
	return reply, nil
}

// startCell counts a cell (when it is stored in the history) and makes it
// the one Interrupt cancels, until end is called.
func (k *Kernel) startCell(store bool) (ctx context.Context, count int, end func()) {
	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	defer k.mu.Unlock()
	if store {
		k.count++
	}
	k.cancel = cancel
	return ctx, k.count, func() {
		k.mu.Lock()
		k.cancel = nil
		k.mu.Unlock()
		cancel()
	}
}

// succeeded publishes the result of a cell that ran and returns its reply
// and the text kept in the history as its output.
func (k *Kernel) succeeded(ctx context.Context, req executeRequest, res *ExecResult, count int, publish func(string, any)) (map[string]any, string) {
	payload, output := []map[string]any{}, ""
	if res != nil {
		if res.Payload != nil {
			payload = res.Payload
		}
		if res.Data != nil && !req.Silent {
			md := res.Metadata
			if md == nil {
				md = map[string]any{}
			}
			publish("execute_result", map[string]any{"execution_count": count, "data": res.Data, "metadata": md})
			output, _ = res.Data["text/plain"].(string)
		}
	}
	return map[string]any{"status": "ok", "execution_count": count, "user_expressions": k.userExpressions(ctx, req.UserExpr), "payload": payload}, output
}

// userExpressions evaluates each expression after a successful cell.
func (k *Kernel) userExpressions(ctx context.Context, exprs map[string]string) map[string]any {
	out := map[string]any{}
	ev, ok := k.in.(ExpressionEvaluator)
	for name, expr := range exprs {
		if !ok {
			out[name] = errorReply("NotSupported", "this interpreter does not evaluate user expressions")
			continue
		}
		data, err := ev.Evaluate(ctx, expr)
		if err != nil {
			ce := asCellError(err)
			out[name] = map[string]any{"status": "error", "ename": ce.Name, "evalue": ce.Value, "traceback": ce.Traceback}
			continue
		}
		out[name] = map[string]any{"status": "ok", "data": data, "metadata": map[string]any{}}
	}
	return out
}

// runCell calls the interpreter and turns a panic into a cell error, so a
// broken cell never takes the kernel down.
func (k *Kernel) runCell(ctx context.Context, code string, out *Output) (res *ExecResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &CellError{Name: "Panic", Value: fmt.Sprint(r), Traceback: []string{fmt.Sprintf("panic: %v", r)}}
		}
	}()
	return k.in.Execute(ctx, code, out)
}
