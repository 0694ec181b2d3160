package transport_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
	"github.com/hwnas/hwnas/kernel/transport"
)

// listen starts a server on free local ports and connects a client.
func listen(t *testing.T) (*transport.Server, *kerneltest.Client) {
	t.Helper()
	conn := transport.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key-" + transport.NewUUID(), SignatureScheme: "hmac-sha256"}
	srv, err := transport.Listen(conn, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c := kerneltest.Dial(t, srv.Conn())
	return srv, c
}

func TestHeartbeat(t *testing.T) {
	_, c := listen(t)
	ping := zmq4.NewMsgString("ping-" + transport.NewUUID())
	if err := c.HB.Send(ping); err != nil {
		t.Fatal(err)
	}
	m, err := c.HB.Recv()
	if err != nil || string(m.Frames[0]) != string(ping.Frames[0]) {
		t.Fatalf("heartbeat echo %q, %v", m.Frames, err)
	}
}

// recv returns the next message the server receives on ch.
func recv(t *testing.T, srv *transport.Server, ch transport.Channel) *transport.Message {
	t.Helper()
	got := make(chan *transport.Message, 1)
	go func() {
		m, err := srv.Recv(ch)
		if err != nil {
			t.Errorf("%s: %v", ch, err)
		}
		got <- m
	}()
	select {
	case m := <-got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: nothing received", ch)
		return nil
	}
}

// TestRecvDropsBadMessages: malformed and badly signed messages are dropped,
// and the next good one is received.
func TestRecvDropsBadMessages(t *testing.T) {
	srv, c := listen(t)
	h, _ := json.Marshal(transport.NewHeader(c.Session, "kernel_info_request"))
	delim, e := []byte("<IDS|MSG>"), []byte("{}")
	good := func(sig []byte) [][]byte { return [][]byte{delim, sig, h, e, e, e} }
	cases := map[string][][]byte{
		"wrong signature":  good([]byte("00ff")),
		"empty signature":  good([]byte{}),
		"no delimiter":     {h, e},
		"too few frames":   {delim, c.Signer.Sign(h), h},
		"header not json":  {delim, c.Signer.Sign([]byte("{"), e, e, e), []byte("{"), e, e, e},
		"content not json": {delim, c.Signer.Sign(h, e, e, []byte("[")), h, e, e, []byte("[")},
	}
	for name, frames := range cases {
		for _, ch := range []transport.Channel{transport.Shell, transport.Control} {
			sock := map[transport.Channel]zmq4.Socket{transport.Shell: c.Shell, transport.Control: c.Control}[ch]
			c.SendRaw(sock, frames...)
			id := c.Send(sock, "kernel_info_request", map[string]any{"case": name})
			if m := recv(t, srv, ch); m.Header.MsgID != id {
				t.Errorf("%s on %s: received %s %s, want the good message after it", name, ch, m.Header.MsgType, m.Content)
			}
		}
	}
}

// TestReplyAndPublish: a reply goes to the sender with the request as its
// parent, and IOPub messages arrive in the order published.
func TestReplyAndPublish(t *testing.T) {
	srv, c := listen(t)
	id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
	req := recv(t, srv, transport.Shell)
	srv.Reply(transport.Shell, req, "kernel_info_reply", map[string]any{"status": "ok"})
	r := kerneltest.RecvOn(t, c.ShellC, "reply", 10*time.Second)
	var p transport.Header
	json.Unmarshal(r.Parent, &p)
	if r.Header.MsgType != "kernel_info_reply" || p.MsgID != id || r.Header.Session != srv.Session() {
		t.Errorf("reply %s to %s in session %s, want kernel_info_reply to %s in %s", r.Header.MsgType, p.MsgID, r.Header.Session, id, srv.Session())
	}
	// A SUB socket sees only what is published after it joined: publish
	// until something arrives.
	for joined := false; !joined; {
		srv.Publish("status", nil, map[string]any{"execution_state": "idle"})
		select {
		case <-c.PubC:
			joined = true
		case <-time.After(50 * time.Millisecond):
		}
	}
	const n = 200
	for i := range n {
		srv.Publish("stream", r.HeaderRaw, map[string]any{"name": "stdout", "text": fmt.Sprint(i)})
	}
	srv.Flush()
	for i := 0; i < n; {
		m := kerneltest.RecvOn(t, c.PubC, "iopub message", 10*time.Second)
		if m.Header.MsgType == "status" {
			continue
		}
		if v := kerneltest.Decode(t, m); v["text"] != fmt.Sprint(i) || string(m.Parent) != string(r.HeaderRaw) {
			t.Fatalf("iopub message %d: %v with parent %s", i, v, m.Parent)
		}
		i++
	}
}

// A ping without the REQ envelope's empty frame used to end the heartbeat
// goroutine, for every client.
func TestHeartbeatSurvivesMalformedPing(t *testing.T) {
	srv, c := listen(t)
	raw := kerneltest.RawPeer(t, srv.Conn(), srv.Conn().HBPort, "REQ")
	raw.Write(kerneltest.Frame(0, []byte("no envelope")))
	time.Sleep(100 * time.Millisecond)
	c.CheckHeartbeat(3 * time.Second)
}

// The guarded transport serves ipc connection files too.
func TestIPC(t *testing.T) {
	conn := transport.ConnectionInfo{Transport: "ipc", IP: t.TempDir() + "/kernel", Key: "k", SignatureScheme: "hmac-sha256",
		ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5}
	srv, err := transport.Listen(conn, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c := kerneltest.Dial(t, srv.Conn())
	c.CheckHeartbeat(3 * time.Second)
	id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
	if m := recv(t, srv, transport.Shell); m.Header.MsgID != id {
		t.Fatalf("received %s, want %s", m.Header.MsgID, id)
	}
}

// A client that sends requests right behind its READY, while the kernel is
// not reading them yet, stays connected past the handshake timeout: the
// guard used to read ahead of the READY, so zmq4, busy with those requests,
// never read past the guard's replay and the handshake timer dropped it.
func TestRequestsBehindReadyKeepConnection(t *testing.T) {
	conn := transport.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "k", SignatureScheme: "hmac-sha256"}
	lim := transport.DefaultLimits
	lim.HandshakeTimeout = 300 * time.Millisecond
	srv, err := transport.ListenLimits(conn, log.New(io.Discard, "", 0), lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	signer, _ := transport.NewSigner("hmac-sha256", "k")
	var reqs []byte
	for range 20 {
		frames, _ := signer.Encode(nil, transport.NewHeader("s", "kernel_info_request"), nil, nil, map[string]any{})
		for i, f := range frames {
			reqs = append(reqs, kerneltest.Frame(byte(min(1, len(frames)-1-i)), f)...)
		}
	}
	raw := kerneltest.RawPeer(t, srv.Conn(), srv.Conn().ShellPort, "")
	raw.Write(append(kerneltest.Ready("DEALER"), reqs...))
	time.Sleep(4 * lim.HandshakeTimeout)
	raw.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		if _, err := raw.Read(make([]byte, 4096)); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				t.Fatalf("the kernel closed a client that had sent requests: %v", err)
			}
			break
		}
	}
	for range 20 {
		recv(t, srv, transport.Shell)
	}
}

// A socket takes at most MaxPeers connections, so that peers cannot use up
// the kernel's file descriptors; a slot frees when its peer is dropped.
func TestMaxPeers(t *testing.T) {
	conn := transport.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "k", SignatureScheme: "hmac-sha256"}
	lim := transport.DefaultLimits
	lim.MaxPeers, lim.HandshakeTimeout = 3, 500*time.Millisecond
	srv, err := transport.ListenLimits(conn, log.New(io.Discard, "", 0), lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c := kerneltest.Dial(t, srv.Conn()) // one connection on each socket
	port := srv.Conn().ShellPort
	kerneltest.RawPeer(t, srv.Conn(), port, "")
	kerneltest.RawPeer(t, srv.Conn(), port, "")
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	kerneltest.WaitClosed(t, kerneltest.RawPeer(t, srv.Conn(), port, ""), 5*time.Second)
	if d := time.Since(start); d > lim.HandshakeTimeout/2 {
		t.Errorf("the connection over the limit was closed after %v, want at once", d)
	}
	id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
	if m := recv(t, srv, transport.Shell); m.Header.MsgID != id {
		t.Fatalf("received %s, want %s", m.Header.MsgID, id)
	}
	time.Sleep(2 * lim.HandshakeTimeout) // the silent peers are dropped
	c2 := kerneltest.Dial(t, srv.Conn())
	id = c2.Send(c2.Shell, "kernel_info_request", map[string]any{})
	if m := recv(t, srv, transport.Shell); m.Header.MsgID != id {
		t.Fatalf("received %s, want %s", m.Header.MsgID, id)
	}
}
