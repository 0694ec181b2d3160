package kernel

import (
	"bytes"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
	"github.com/hwnas/hwnas/kernel/transport"
)

// kernelPorts are the kernel's five ports with the ZMTP socket type a
// client connects to each with.
func kernelPorts(conn transport.ConnectionInfo) []struct {
	name, sockType string
	port           int
} {
	return []struct {
		name, sockType string
		port           int
	}{{"shell", "DEALER", conn.ShellPort}, {"control", "DEALER", conn.ControlPort}, {"stdin", "DEALER", conn.StdinPort},
		{"iopub", "SUB", conn.IOPubPort}, {"heartbeat", "REQ", conn.HBPort}}
}

// checkServing fails the test unless the kernel answers a kernel_info_request.
func checkServing(t *testing.T, c *kerneltest.Client) {
	t.Helper()
	id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
	if r := c.Reply(c.ShellC, id); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}
	c.Outputs(id)
}

// A peer without the key that announces a huge frame, in the handshake or
// after it, is dropped; it used to kill the kernel in zmq4's frame read
// (makeslice: len out of range).
func TestHugeFrameFromUnauthenticatedPeer(t *testing.T) {
	k, c := startKernel(t)
	for _, p := range kernelPorts(k.srv.Conn()) {
		for _, size := range []uint64{1 << 50, 1 << 36} {
			during := kerneltest.RawPeer(t, k.srv.Conn(), p.port, "")
			during.Write(kerneltest.FrameHeader(4, size)) // the READY command
			after := kerneltest.RawPeer(t, k.srv.Conn(), p.port, p.sockType)
			after.Write(kerneltest.FrameHeader(0, size))
			kerneltest.WaitClosed(t, during, 5*time.Second)
			kerneltest.WaitClosed(t, after, 5*time.Second)
		}
		// Frames each under the limit that add up to a message over it.
		half := uint64(transport.DefaultLimits.MaxMessage/2 + 1)
		many := kerneltest.RawPeer(t, k.srv.Conn(), p.port, p.sockType)
		many.Write(kerneltest.FrameHeader(1, half))
		many.Write(make([]byte, half))
		many.Write(kerneltest.FrameHeader(0, half))
		kerneltest.WaitClosed(t, many, 10*time.Second)
		checkServing(t, c)
	}
}

// A subscriber that never reads, and a heartbeat peer that sends pings but
// never reads the echoes, must not hold up the real client: they used to
// stop all IOPub output and the heartbeat once their socket buffers filled.
func TestStalledPeersDoNotBlockOthers(t *testing.T) {
	lim := transport.DefaultLimits
	lim.MaxQueue, lim.WriteTimeout = 16<<20, time.Second
	k, c := startKernelLimits(t, lim)
	conn := k.srv.Conn()
	sub := kerneltest.RawPeer(t, conn, conn.IOPubPort, "SUB")
	sub.Write(kerneltest.Frame(0, []byte{1})) // subscribe to everything
	hb := kerneltest.RawPeer(t, conn, conn.HBPort, "REQ")
	go func() {
		ping := append(kerneltest.Frame(1, nil), kerneltest.Frame(0, make([]byte, 64<<10))...)
		for range 1000 {
			if _, err := hb.Write(ping); err != nil {
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the subscription arrive
	start := time.Now()
	for i := range 4 {
		code := "%%go\nimport \"strings\"\nfor i := 0; i < 10000; i++ { fmt.Println(strings.Repeat(\"x\", 1000)) }"
		r, out := c.Execute(code, nil)
		if kerneltest.Decode(t, r)["status"] != "ok" {
			t.Fatalf("cell %d: %v", i, kerneltest.Decode(t, r))
		}
		if n := streamBytes(t, out); n != 10000*1001 {
			t.Fatalf("cell %d: %d bytes of stdout, want %d", i, n, 10000*1001)
		}
	}
	c.CheckHeartbeat(2 * time.Second)
	t.Logf("40 MB of output in %v", time.Since(start))
	time.Sleep(2 * lim.WriteTimeout) // then they have been dropped, unread
	kerneltest.WaitClosed(t, sub, 20*time.Second)
	kerneltest.WaitClosed(t, hb, 20*time.Second)
}

// streamBytes is the length of the stdout text in out.
func streamBytes(t *testing.T, out []*transport.Message) int {
	n := 0
	for _, m := range out {
		if m.Header.MsgType == "stream" {
			s, _ := kerneltest.Decode(t, m)["text"].(string)
			n += len(s)
		}
	}
	return n
}

// A peer that connects and then says nothing, or only its greeting, must
// not keep new clients out: zmq4 runs each handshake inside its accept
// loop, so it used to hold every later connection until it was dropped.
func TestSilentPeerDoesNotBlockNewClients(t *testing.T) {
	k, _ := startKernel(t)
	conn := k.srv.Conn()
	for _, p := range kernelPorts(conn) {
		kerneltest.RawPeer(t, conn, p.port, "")
		silent, err := net.Dial("tcp", net.JoinHostPort(conn.IP, strconv.Itoa(p.port)))
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
	}
	time.Sleep(100 * time.Millisecond)
	dialed := make(chan *kerneltest.Client, 1)
	go func() { dialed <- kerneltest.Dial(t, conn) }()
	select {
	case c := <-dialed:
		checkServing(t, c)
		c.CheckHeartbeat(3 * time.Second)
	case <-time.After(3 * time.Second):
		t.Fatal("a new client could not connect within 3s")
	}
}

// IOPub takes only (un)subscriptions from its peers: zmq4 queued any other
// message for a Recv that a PUB socket never does, so a few peers sending
// big ones pinned memory for good (3 peers, 32 MiB messages: 512 MiB).
func TestIOPubTakesOnlySubscriptions(t *testing.T) {
	k, c := startKernel(t)
	conn := k.srv.Conn()
	for _, msg := range [][]byte{
		kerneltest.Frame(0, bytes.Repeat([]byte("x"), 1000)),
		append(kerneltest.Frame(1, []byte{1}), kerneltest.Frame(0, []byte{1})...),
	} {
		sub := kerneltest.RawPeer(t, conn, conn.IOPubPort, "SUB")
		sub.Write(kerneltest.Frame(0, []byte{1})) // a subscription is fine
		sub.Write(msg)
		kerneltest.WaitClosed(t, sub, 3*time.Second)
	}
	checkServing(t, c)
}

func TestLimitsFromEnv(t *testing.T) {
	t.Setenv("HWNAS_KERNEL_MAX_MESSAGE", "1048576")
	if lim, err := limitsFromEnv(); err != nil || lim.MaxMessage != 1<<20 || lim.MaxQueue != transport.DefaultLimits.MaxQueue {
		t.Errorf("limits %+v, %v", lim, err)
	}
	for _, bad := range []string{"0", "-1", "64MiB"} {
		t.Setenv("HWNAS_KERNEL_MAX_MESSAGE", bad)
		if _, err := limitsFromEnv(); err == nil {
			t.Errorf("HWNAS_KERNEL_MAX_MESSAGE=%s: no error", bad)
		}
	}
}
