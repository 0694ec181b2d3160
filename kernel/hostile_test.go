package kernel

import (
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
