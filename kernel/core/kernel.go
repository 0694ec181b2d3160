package core

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"sync"

	"github.com/hwnas/hwnas/kernel/transport"
)

// Version is the kernel implementation version reported in kernel_info.
const Version = "0.1.0"

// Transport is the wire a Kernel serves: a *transport.Server, or a fake in
// tests. Its methods are called from several goroutines at once.
type Transport interface {
	// Recv returns the next request on a channel; an error means the
	// channel is closed.
	Recv(ch transport.Channel) (*transport.Message, error)
	// Reply sends a message on ch to the sender of req, parented to it.
	Reply(ch transport.Channel, req *transport.Message, msgType string, content any)
	// Publish queues an IOPub message; messages go out in the order queued.
	Publish(msgType string, parent json.RawMessage, content any)
	// Flush waits until every IOPub message queued so far has been sent.
	Flush()
	// Close sends what IOPub holds and closes every channel.
	Close()
}

// Kernel is the kernel core: it routes requests from the channels to the
// interpreter, wraps each in busy/idle, counts executions and keeps history.
type Kernel struct {
	t   Transport
	in  Interpreter
	log *log.Logger

	shellQ chan *transport.Message // the execution queue: shell requests, served one at a time
	inputC chan *transport.Message // input_reply messages from stdin
	abortN int                     // queued requests to abort after a failed cell; only the executor goroutine touches it
	hist   history

	mu      sync.Mutex
	count   int
	cancel  context.CancelFunc // cancels the running cell, nil when idle
	restart bool

	quit     chan struct{} // closed when Run returns
	done     chan struct{} // closed once a shutdown_request is answered
	stopOnce sync.Once
}

// New returns a kernel serving in on t. Call Run.
func New(t Transport, in Interpreter, lg *log.Logger) *Kernel {
	return &Kernel{t: t, in: in, log: lg, shellQ: make(chan *transport.Message, 256), inputC: make(chan *transport.Message, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
}

// Run serves requests until a shutdown_request arrives or ctx is cancelled,
// then closes the transport. It reports whether a restart was requested.
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	k.t.Publish("status", nil, status("starting"))
	go k.receive(transport.Shell, k.enqueue)
	go k.receive(transport.Control, k.serveControl)
	go k.receive(transport.Stdin, k.serveStdin)
	go k.executor()
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-k.done:
	}
	k.Interrupt()
	k.t.Close()
	close(k.quit)
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.restart, err
}

// Interrupt cancels the running cell, if any. It is safe from any goroutine
// (the SIGINT handler calls it too).
func (k *Kernel) Interrupt() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancel != nil {
		k.cancel()
	}
}

func status(state string) map[string]any { return map[string]any{"execution_state": state} }

// receive feeds every request of a channel to handle until the channel closes.
func (k *Kernel) receive(ch transport.Channel, handle func(*transport.Message)) {
	for {
		m, err := k.t.Recv(ch)
		if err != nil {
			return
		}
		handle(m)
	}
}

// enqueue appends a shell request to the execution queue.
func (k *Kernel) enqueue(m *transport.Message) {
	select {
	case k.shellQ <- m:
	case <-k.quit:
	}
}

// executor serves shell requests one at a time, and after a cell failed
// with stop_on_error, aborts the requests that were queued when it failed.
func (k *Kernel) executor() {
	for {
		select {
		case <-k.quit:
			return
		case m := <-k.shellQ:
			k.serve(transport.Shell, m)
			if n := k.abortN; n > 0 {
				k.abortN = 0
				k.abortQueued(n)
			}
		}
	}
}

// serveControl serves a control request at once, even while a cell runs.
func (k *Kernel) serveControl(m *transport.Message) { k.serve(transport.Control, m) }

// serve wraps one request in busy/idle and answers it on the channel it came
// in on. A shutdown takes effect once the reply and the idle status are out.
func (k *Kernel) serve(ch transport.Channel, m *transport.Message) {
	k.t.Publish("status", m.HeaderRaw, status("busy"))
	stop := k.answer(ch, m)
	k.t.Publish("status", m.HeaderRaw, status("idle"))
	if stop != nil {
		k.shutdown(*stop)
	}
}

// answer dispatches a request to its handler and sends the reply. For a
// shutdown_request it returns whether a restart was asked for.
func (k *Kernel) answer(ch transport.Channel, m *transport.Message) (shutdown *bool) {
	var content any
	var err error
	switch m.Header.MsgType {
	case "kernel_info_request":
		content = k.kernelInfo()
	case "execute_request":
		content, err = k.execute(ch, m)
	case "complete_request":
		content, err = k.complete(m)
	case "inspect_request":
		content, err = k.inspect(m)
	case "is_complete_request":
		content, err = k.isComplete(m)
	case "history_request":
		content, err = k.history(m)
	case "comm_info_request":
		content = map[string]any{"status": "ok", "comms": map[string]any{}}
	case "interrupt_request":
		k.Interrupt()
		content = map[string]any{"status": "ok"}
	case "shutdown_request":
		content, shutdown, err = shutdownReply(m)
	case "comm_open":
		k.closeComm(m)
		return nil
	case "comm_msg", "comm_close":
		return nil
	default:
		k.log.Printf("%s: unsupported message type %q", ch, m.Header.MsgType)
		if replyTypeOf(m.Header.MsgType) == "" {
			return nil
		}
		content = errorReply("UnsupportedRequest", fmt.Sprintf("hwnas does not support %s", m.Header.MsgType))
	}
	if err != nil {
		k.log.Printf("%s: %s: %v", ch, m.Header.MsgType, err)
		content = errorReply("BadRequest", err.Error())
	}
	k.reply(ch, m, replyTypeOf(m.Header.MsgType), content)
	return shutdown
}

// reply sends a message to the sender of req once the IOPub messages queued
// before it are out: a frontend that takes a reply as the end of a cell (the
// classic notebook numbers the prompt on it) or shows an input prompt has
// the outputs before it by then, as far as one process can order two sockets.
func (k *Kernel) reply(ch transport.Channel, req *transport.Message, msgType string, content any) {
	k.t.Flush()
	k.t.Reply(ch, req, msgType, content)
}

// shutdownReply answers a shutdown_request and says whether to restart.
func shutdownReply(m *transport.Message) (reply any, restart *bool, err error) {
	var req struct {
		Restart bool `json:"restart"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		return nil, nil, err
	}
	return map[string]any{"status": "ok", "restart": req.Restart}, &req.Restart, nil
}

// closeComm tells the frontend that a comm it opened is closed: no comm
// targets are registered.
func (k *Kernel) closeComm(m *transport.Message) {
	var req struct {
		CommID string `json:"comm_id"`
	}
	if json.Unmarshal(m.Content, &req) == nil && req.CommID != "" {
		k.t.Publish("comm_close", m.HeaderRaw, map[string]any{"comm_id": req.CommID, "data": map[string]any{}})
	}
}

// shutdown stops Run once the IOPub messages queued so far are out.
func (k *Kernel) shutdown(restart bool) {
	k.stopOnce.Do(func() {
		k.mu.Lock()
		k.restart = restart
		k.mu.Unlock()
		go func() {
			k.t.Flush()
			close(k.done)
		}()
	})
}

// replyTypeOf is the reply type of a request type, "" for other messages.
func replyTypeOf(req string) string {
	if base, ok := strings.CutSuffix(req, "_request"); ok {
		return base + "_reply"
	}
	return ""
}

func errorReply(name, value string) map[string]any {
	return map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": []string{name + ": " + value}}
}

// abortQueued answers the first n requests of the execution queue, those
// queued when a cell failed with stop_on_error, as ipykernel does: an
// execute_request gets an aborted reply, any other request is served. One
// a client sends after reading the failed cell's reply is not among them
// and runs.
func (k *Kernel) abortQueued(n int) {
	for ; n > 0; n-- {
		var m *transport.Message
		select {
		case m = <-k.shellQ:
		default:
			return
		}
		if m.Header.MsgType != "execute_request" {
			k.serve(transport.Shell, m)
			continue
		}
		k.t.Publish("status", m.HeaderRaw, status("busy"))
		k.mu.Lock()
		count := k.count
		k.mu.Unlock()
		k.reply(transport.Shell, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": count, "user_expressions": map[string]any{}, "payload": []any{}})
		k.t.Publish("status", m.HeaderRaw, status("idle"))
	}
}
