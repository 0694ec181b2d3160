// Package kerneltest is a minimal Jupyter client over ZeroMQ for the tests
// of the kernel's packages: it signs and sends requests on the shell,
// control and stdin channels, and collects replies and IOPub messages.
package kerneltest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/hwnas/hwnas/kernel/transport"
)

// Client is a Jupyter client connected to a kernel. Replies and IOPub
// messages arrive on the channels ShellC, CtrlC, StdinC and PubC.
type Client struct {
	t       testing.TB
	Signer  *transport.Signer
	Session string
	Shell   zmq4.Socket
	Control zmq4.Socket
	IOPub   zmq4.Socket
	HB      zmq4.Socket
	Stdin   zmq4.Socket
	StdinC  chan *transport.Message
	ShellC  chan *transport.Message
	CtrlC   chan *transport.Message
	PubC    chan *transport.Message
	cancel  context.CancelFunc
}

// Dial connects a client to every socket of conn; the test's cleanup
// closes it.
func Dial(t testing.TB, conn transport.ConnectionInfo) *Client {
	t.Helper()
	signer, err := transport.NewSigner(conn.SignatureScheme, conn.Key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	id := transport.NewUUID()
	c := &Client{t: t, Signer: signer, Session: transport.NewUUID(), cancel: cancel,
		Shell:   zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("shell-"+id))),
		Control: zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("control-"+id))),
		IOPub:   zmq4.NewSub(ctx),
		HB:      zmq4.NewReq(ctx),
		Stdin:   zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("shell-"+id))),
		StdinC:  make(chan *transport.Message, 10),
		ShellC:  make(chan *transport.Message, 100), CtrlC: make(chan *transport.Message, 100), PubC: make(chan *transport.Message, 1000),
	}
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.Shell, conn.ShellPort}, {c.Control, conn.ControlPort}, {c.IOPub, conn.IOPubPort}, {c.HB, conn.HBPort}, {c.Stdin, conn.StdinPort}} {
		if err := s.sock.Dial(conn.Endpoint(s.port)); err != nil {
			t.Fatalf("dial %s: %v", conn.Endpoint(s.port), err)
		}
	}
	if err := c.IOPub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		sock zmq4.Socket
		ch   chan *transport.Message
	}{{c.Shell, c.ShellC}, {c.Control, c.CtrlC}, {c.IOPub, c.PubC}, {c.Stdin, c.StdinC}} {
		go func() {
			for {
				m, err := p.sock.Recv()
				if err != nil {
					return
				}
				msg, err := c.Signer.Decode(m.Frames)
				if err != nil {
					t.Errorf("client: kernel sent an undecodable message: %v", err)
					continue
				}
				p.ch <- msg
			}
		}()
	}
	t.Cleanup(c.close)
	return c
}

func (c *Client) close() {
	c.cancel()
	for _, s := range []zmq4.Socket{c.Shell, c.Control, c.IOPub, c.HB, c.Stdin} {
		s.Close()
	}
}

// Send signs and sends a request on a socket and returns its msg_id.
func (c *Client) Send(sock zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	h := transport.NewHeader(c.Session, msgType)
	frames, err := c.Signer.Encode(nil, h, nil, nil, content)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("send %s: %v", msgType, err)
	}
	return h.MsgID
}

// SendRaw sends frames as they are (for malformed-message tests).
func (c *Client) SendRaw(sock zmq4.Socket, frames ...[]byte) {
	c.t.Helper()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("send raw: %v", err)
	}
}

// RecvOn returns the next message on ch, failing the test after timeout.
func RecvOn(t testing.TB, ch chan *transport.Message, what string, timeout time.Duration) *transport.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(timeout):
		t.Fatalf("no %s within %v", what, timeout)
		return nil
	}
}

// Reply waits for the reply to id on ch.
func (c *Client) Reply(ch chan *transport.Message, id string) *transport.Message {
	c.t.Helper()
	for {
		m := RecvOn(c.t, ch, "reply", 10*time.Second)
		var p transport.Header
		json.Unmarshal(m.Parent, &p)
		if p.MsgID == id {
			return m
		}
	}
}

// Outputs collects the IOPub messages parented to id, busy through idle.
func (c *Client) Outputs(id string) []*transport.Message {
	c.t.Helper()
	var out []*transport.Message
	for {
		m := RecvOn(c.t, c.PubC, "iopub message", 10*time.Second)
		var p transport.Header
		json.Unmarshal(m.Parent, &p)
		if p.MsgID != id {
			continue
		}
		out = append(out, m)
		if m.Header.MsgType == "status" && State(m) == "idle" {
			return out
		}
	}
}

// State is the execution_state of a status message.
func State(m *transport.Message) string {
	var s struct {
		ExecutionState string `json:"execution_state"`
	}
	json.Unmarshal(m.Content, &s)
	return s.ExecutionState
}

// WaitReady sends kernel_info until IOPub delivers its status, as
// jupyter_client does, so that no later IOPub message is lost to a late
// subscription.
func (c *Client) WaitReady() {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
		c.Reply(c.ShellC, id)
		select {
		case <-c.PubC:
			for len(c.PubC) > 0 {
				<-c.PubC
			}
			time.Sleep(20 * time.Millisecond)
			for len(c.PubC) > 0 {
				<-c.PubC
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	c.t.Fatal("iopub never delivered a status message")
}

// Execute runs code and returns the reply and its IOPub messages. extra
// overrides fields of the execute_request content.
func (c *Client) Execute(code string, extra map[string]any) (*transport.Message, []*transport.Message) {
	c.t.Helper()
	content := map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		content[k] = v
	}
	id := c.Send(c.Shell, "execute_request", content)
	r := c.Reply(c.ShellC, id)
	return r, c.Outputs(id)
}

// Decode returns the content of m.
func Decode(t testing.TB, m *transport.Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Content, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Types lists the types of messages, a status with its state
// ("status:busy").
func Types(ms []*transport.Message) []string {
	var out []string
	for _, m := range ms {
		s := m.Header.MsgType
		if s == "status" {
			s += ":" + State(m)
		}
		out = append(out, s)
	}
	return out
}
