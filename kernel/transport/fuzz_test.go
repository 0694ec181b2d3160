package transport_test

import (
	"io"
	"log"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
	"github.com/hwnas/hwnas/kernel/transport"
)

// FuzzRawPeer writes raw bytes, before any authentication, to a connection
// of each of the server's five sockets (alone, after a ZMTP greeting, or
// after a greeting and READY), and then checks that the server still
// receives a signed request and echoes a heartbeat.
func FuzzRawPeer(f *testing.F) {
	conn := transport.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "fuzz-key", SignatureScheme: "hmac-sha256"}
	lim := transport.DefaultLimits
	lim.MaxMessage, lim.HandshakeTimeout = 1<<20, 500*time.Millisecond
	srv, err := transport.ListenLimits(conn, log.New(io.Discard, "", 0), lim)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	c := kerneltest.Dial(f, srv.Conn())
	f.Add(uint8(0), []byte("GET / HTTP/1.0\r\n\r\n"))
	f.Add(uint8(0), kerneltest.Greeting())
	f.Add(uint8(1), kerneltest.FrameHeader(4, 1<<50))
	f.Add(uint8(1), []byte{4, 10, 5, 'R', 'E', 'A', 'D', 'Y', 3, 'a', 'b', 'c'}) // a READY property cut short
	f.Add(uint8(2), kerneltest.FrameHeader(0, 1<<36))
	f.Add(uint8(2), kerneltest.Frame(0, []byte{1}))
	f.Add(uint8(2), append(kerneltest.Frame(1, nil), kerneltest.Frame(0, []byte("ping"))...))
	f.Add(uint8(2), kerneltest.Frame(4, []byte{4, 'P', 'I', 'N', 'G'}))
	f.Fuzz(func(t *testing.T, prefix uint8, data []byte) {
		c := c.For(t)
		sc := srv.Conn()
		ports := map[int]string{sc.ShellPort: "DEALER", sc.ControlPort: "DEALER", sc.StdinPort: "DEALER", sc.IOPubPort: "SUB", sc.HBPort: "REQ"}
		for port, sockType := range ports {
			raw, err := net.Dial("tcp", net.JoinHostPort(sc.IP, strconv.Itoa(port)))
			if err != nil {
				t.Fatal(err)
			}
			var hello []byte
			if prefix%3 > 0 {
				hello = kerneltest.Greeting()
			}
			if prefix%3 > 1 {
				hello = append(hello, kerneltest.Ready(sockType)...)
			}
			raw.SetWriteDeadline(time.Now().Add(time.Second))
			raw.Write(append(hello, data...))
			defer raw.Close()
		}
		id := c.Send(c.Shell, "kernel_info_request", map[string]any{})
		for m := recv(t, srv, transport.Shell); m.Header.MsgID != id; m = recv(t, srv, transport.Shell) {
		}
		c.CheckHeartbeat(3 * time.Second)
	})
}
