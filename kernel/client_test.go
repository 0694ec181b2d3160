package kernel

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// testClient is a minimal Jupyter client over zmq4 for wire tests.
type testClient struct {
	t       testing.TB
	signer  *Signer
	session string
	shell   zmq4.Socket
	control zmq4.Socket
	iopub   zmq4.Socket
	hb      zmq4.Socket
	stdin   zmq4.Socket
	stdinC  chan *Message
	shellC  chan *Message
	ctrlC   chan *Message
	pubC    chan *Message
	cancel  context.CancelFunc
}

// startKernel runs a kernel on free local ports and connects a client.
func startKernel(t testing.TB) (*Kernel, *testClient) {
	t.Helper()
	conn := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key-" + newUUID(), SignatureScheme: "hmac-sha256"}
	sess, err := NewSession(SessionOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(conn, sess, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := k.Run(context.Background()); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	c := dial(t, k.Conn())
	t.Cleanup(func() {
		c.close()
		k.shutdown(false)
		<-done
	})
	c.waitReady()
	return k, c
}

func dial(t testing.TB, conn ConnectionInfo) *testClient {
	t.Helper()
	signer, err := NewSigner(conn.SignatureScheme, conn.Key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	id := newUUID()
	c := &testClient{t: t, signer: signer, session: newUUID(), cancel: cancel,
		shell:   zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("shell-"+id))),
		control: zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("control-"+id))),
		iopub:   zmq4.NewSub(ctx),
		hb:      zmq4.NewReq(ctx),
		stdin:   zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("shell-"+id))),
		stdinC:  make(chan *Message, 10),
		shellC:  make(chan *Message, 100), ctrlC: make(chan *Message, 100), pubC: make(chan *Message, 1000),
	}
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {c.iopub, conn.IOPubPort}, {c.hb, conn.HBPort}, {c.stdin, conn.StdinPort}} {
		if err := s.sock.Dial(conn.endpoint(s.port)); err != nil {
			t.Fatalf("dial %s: %v", conn.endpoint(s.port), err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		sock zmq4.Socket
		ch   chan *Message
	}{{c.shell, c.shellC}, {c.control, c.ctrlC}, {c.iopub, c.pubC}, {c.stdin, c.stdinC}} {
		go func() {
			for {
				m, err := p.sock.Recv()
				if err != nil {
					return
				}
				msg, err := c.signer.Decode(m.Frames)
				if err != nil {
					t.Errorf("client: kernel sent an undecodable message: %v", err)
					continue
				}
				p.ch <- msg
			}
		}()
	}
	return c
}

func (c *testClient) close() {
	c.cancel()
	for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub, c.hb, c.stdin} {
		s.Close()
	}
}

// send signs and sends a request on a socket and returns its msg_id.
func (c *testClient) send(sock zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	h := newHeader(c.session, msgType)
	frames, err := c.signer.Encode(nil, h, nil, nil, content)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("send %s: %v", msgType, err)
	}
	return h.MsgID
}

// sendRaw sends frames as they are (for malformed-message tests).
func (c *testClient) sendRaw(sock zmq4.Socket, frames ...[]byte) {
	c.t.Helper()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("send raw: %v", err)
	}
}

func recvOn(t testing.TB, ch chan *Message, what string, timeout time.Duration) *Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(timeout):
		t.Fatalf("no %s within %v", what, timeout)
		return nil
	}
}

// reply waits for the reply to id on ch.
func (c *testClient) reply(ch chan *Message, id string) *Message {
	c.t.Helper()
	for {
		m := recvOn(c.t, ch, "reply", 10*time.Second)
		var p Header
		json.Unmarshal(m.Parent, &p)
		if p.MsgID == id {
			return m
		}
	}
}

// outputs collects the IOPub messages parented to id, busy through idle.
func (c *testClient) outputs(id string) []*Message {
	c.t.Helper()
	var out []*Message
	for {
		m := recvOn(c.t, c.pubC, "iopub message", 10*time.Second)
		var p Header
		json.Unmarshal(m.Parent, &p)
		if p.MsgID != id {
			continue
		}
		out = append(out, m)
		if m.Header.MsgType == "status" && state(m) == "idle" {
			return out
		}
	}
}

func state(m *Message) string {
	var s struct {
		ExecutionState string `json:"execution_state"`
	}
	json.Unmarshal(m.Content, &s)
	return s.ExecutionState
}

// waitReady sends kernel_info until IOPub delivers its status, as
// jupyter_client does, so that no later IOPub message is lost to a late
// subscription.
func (c *testClient) waitReady() {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		id := c.send(c.shell, "kernel_info_request", map[string]any{})
		c.reply(c.shellC, id)
		select {
		case <-c.pubC:
			for len(c.pubC) > 0 {
				<-c.pubC
			}
			time.Sleep(20 * time.Millisecond)
			for len(c.pubC) > 0 {
				<-c.pubC
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	c.t.Fatal("iopub never delivered a status message")
}

// execute runs code and returns the reply and its IOPub messages.
func (c *testClient) execute(code string, extra map[string]any) (*Message, []*Message) {
	c.t.Helper()
	content := map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		content[k] = v
	}
	id := c.send(c.shell, "execute_request", content)
	r := c.reply(c.shellC, id)
	return r, c.outputs(id)
}

func decode(t testing.TB, m *Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Content, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func types(ms []*Message) []string {
	var out []string
	for _, m := range ms {
		s := m.Header.MsgType
		if s == "status" {
			s += ":" + state(m)
		}
		out = append(out, s)
	}
	return out
}

func zmqMsg(s string) zmq4.Msg { return zmq4.NewMsgString(s) }
