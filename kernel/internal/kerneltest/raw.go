package kerneltest

import (
	"encoding/binary"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/hwnas/hwnas/kernel/transport"
)

// Greeting is a ZMTP 3.0 greeting with the NULL mechanism, as a client.
func Greeting() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10], g[11] = 0xff, 0x7f, 3, 0
	copy(g[12:], "NULL")
	return g
}

// Frame is a ZMTP frame: flags (more 1, command 4) and a body, the long
// form chosen by the body's size.
func Frame(flags byte, body []byte) []byte {
	return append(FrameHeader(flags, uint64(len(body))), body...)
}

// FrameHeader is the header of a frame that declares size body bytes.
func FrameHeader(flags byte, size uint64) []byte {
	if size <= 255 {
		return []byte{flags, byte(size)}
	}
	h := make([]byte, 9)
	h[0] = flags | 2
	binary.BigEndian.PutUint64(h[1:], size)
	return h
}

// Ready is a READY command frame for a socket of type sockType.
func Ready(sockType string) []byte {
	body := append([]byte{5}, "READY"...)
	body = append(body, byte(len("Socket-Type")))
	body = append(body, "Socket-Type"...)
	body = binary.BigEndian.AppendUint32(body, uint32(len(sockType)))
	body = append(body, sockType...)
	return Frame(4, body)
}

// RawPeer is a TCP connection to a kernel port that has sent the greeting
// and, when sockType is not empty, a READY command: a peer that may then
// send anything. The test's cleanup closes it.
func RawPeer(t testing.TB, conn transport.ConnectionInfo, port int, sockType string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort(conn.IP, strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	hello := Greeting()
	if sockType != "" {
		hello = append(hello, Ready(sockType)...)
	}
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	return c
}

// WaitClosed fails the test unless the kernel closes c within timeout,
// discarding what it sends until then.
func WaitClosed(t testing.TB, c net.Conn, timeout time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 64<<10)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the kernel did not close the connection from %s within %v", c.LocalAddr(), timeout)
			}
			return
		}
	}
}

// CheckHeartbeat fails the test unless the kernel echoes a ping within timeout.
func (c *Client) CheckHeartbeat(timeout time.Duration) {
	c.t.Helper()
	echo := make(chan error, 1)
	go func() {
		if err := c.HB.Send(zmq4.NewMsgString("ping")); err != nil {
			echo <- err
			return
		}
		_, err := c.HB.Recv()
		echo <- err
	}()
	select {
	case err := <-echo:
		if err != nil {
			c.t.Fatal(err)
		}
	case <-time.After(timeout):
		c.t.Fatalf("no heartbeat echo within %v", timeout)
	}
}

// For returns the client reporting to t, for use inside a fuzz target of
// a client dialled with the *testing.F.
func (c *Client) For(t testing.TB) *Client {
	cc := *c
	cc.t = t
	return &cc
}
