package transport

import (
	"context"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	ztransport "github.com/go-zeromq/zmq4/transport"
)

// Limits bound what one peer can cost the kernel. Every peer is held to them
// from its first byte, before any HMAC signature is checked, because zmq4
// trusts a frame header's declared size and a peer's reading speed.
type Limits struct {
	// MaxMessage caps a frame and a whole multipart message, in bytes.
	MaxMessage int64
	// MaxQueue caps the bytes waiting to be written to one peer.
	MaxQueue int
	// WriteTimeout is how long a peer may take no bytes while some wait for it.
	WriteTimeout time.Duration
	// HandshakeTimeout is how long a new peer has for the ZMTP handshake.
	HandshakeTimeout time.Duration
}

// DefaultLimits are the limits of Listen.
var DefaultLimits = Limits{
	MaxMessage:       64 << 20,
	MaxQueue:         64 << 20,
	WriteTimeout:     10 * time.Second,
	HandshakeTimeout: 10 * time.Second,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxMessage <= 0 {
		l.MaxMessage = DefaultLimits.MaxMessage
	}
	if l.MaxQueue <= 0 {
		l.MaxQueue = DefaultLimits.MaxQueue
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = DefaultLimits.WriteTimeout
	}
	if l.HandshakeTimeout <= 0 {
		l.HandshakeTimeout = DefaultLimits.HandshakeTimeout
	}
	return l
}

// guardScheme prefixes the zmq4 transports that wrap every accepted
// connection in a guardConn: "hwnas-tcp", "hwnas-ipc".
const guardScheme = "hwnas-"

func init() {
	for _, network := range []string{"tcp", "unix"} {
		name := map[string]string{"tcp": "tcp", "unix": "ipc"}[network]
		if err := zmq4.RegisterTransport(guardScheme+name, guardTransport{ztransport.New(network)}); err != nil {
			panic(err)
		}
	}
}

// guardKey is the context key under which a socket's guard travels from
// Server.bindAll, through zmq4's socket context, to guardTransport.Listen.
type guardKey struct{}

// guard is what the connections of one socket are held to.
type guard struct {
	socket string
	limits Limits
	log    *log.Logger
}

// guardTransport is a zmq4 transport whose listeners guard what they accept.
type guardTransport struct{ ztransport.Transport }

// Listen listens as the wrapped transport and guards each accepted
// connection with the guard carried by ctx.
func (t guardTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	g, ok := ctx.Value(guardKey{}).(*guard)
	if !ok {
		return nil, fmt.Errorf("listen %s: no guard in the socket's context", addr)
	}
	l, err := t.Transport.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return guardListener{l, g}, nil
}

type guardListener struct {
	net.Listener
	g *guard
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newGuardConn(c, l.g), nil
}

// dropError is what reads and writes of a dropped peer return. It is a
// net.Error that is not a timeout, so zmq4 marks the connection closed and
// forgets it.
type dropError struct{ reason string }

func (e *dropError) Error() string   { return "peer dropped: " + e.reason }
func (e *dropError) Timeout() bool   { return false }
func (e *dropError) Temporary() bool { return false }

// guardConn is one peer's connection. Reads pass through a ZMTP frame parser
// that drops the peer before zmq4 sees a header declaring more than the
// limit, or a malformed handshake command that zmq4 would panic on. Writes
// go to a bounded queue that a goroutine of its own sends, so a peer that
// does not read never blocks the socket's other peers: it is dropped when
// its queue is full or it takes no bytes for WriteTimeout.
type guardConn struct {
	net.Conn
	g *guard

	rd        zmtpParser // used only by the one zmq4 reader
	handshake *time.Timer

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []byte
	closing bool
	err     *dropError
}

func newGuardConn(c net.Conn, g *guard) *guardConn {
	gc := &guardConn{Conn: c, g: g, rd: zmtpParser{max: g.limits.MaxMessage}}
	gc.cond = sync.NewCond(&gc.mu)
	gc.handshake = time.AfterFunc(g.limits.HandshakeTimeout, func() {
		gc.drop(fmt.Sprintf("no ZMTP handshake within %v", g.limits.HandshakeTimeout))
	})
	go gc.flush()
	return gc
}

// drop closes the connection for good, logging why once.
func (c *guardConn) drop(reason string) {
	c.mu.Lock()
	first := c.err == nil
	if first {
		c.err = &dropError{reason}
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	if first {
		c.g.log.Printf("%s: dropped peer %s: %s", c.g.socket, c.RemoteAddr(), reason)
	}
	c.Conn.Close()
}

// dropped returns the drop error, or nil while the peer is served.
func (c *guardConn) dropped() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return nil
	}
	return c.err
}

func (c *guardConn) Read(p []byte) (int, error) {
	if c.rd.handshaken {
		// zmq4 reads again only once it has accepted the handshake.
		c.handshake.Stop()
	}
	if err := c.dropped(); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		if perr := c.rd.feed(p[:n]); perr != nil {
			c.drop(perr.Error())
			return 0, c.dropped()
		}
	}
	if err != nil && !c.rd.handshaken {
		// zmq4 neither closes a connection whose handshake failed nor
		// reads it again.
		c.drop(fmt.Sprintf("handshake: %v", err))
	}
	if err != nil {
		if derr := c.dropped(); derr != nil {
			return n, derr
		}
	}
	return n, err
}

// Write queues p for the flush goroutine; it never waits for the peer.
func (c *guardConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.err != nil || c.closing {
		defer c.mu.Unlock()
		return 0, &dropError{"closed"}
	}
	if len(c.queue)+len(p) > c.g.limits.MaxQueue {
		c.mu.Unlock()
		c.drop(fmt.Sprintf("more than %d bytes wait for it to read", c.g.limits.MaxQueue))
		return 0, c.dropped()
	}
	c.queue = append(c.queue, p...)
	c.cond.Signal()
	c.mu.Unlock()
	return len(p), nil
}

// flushChunk is the most written under one write deadline.
const flushChunk = 256 << 10

// flush sends what Write queued, dropping the peer when it takes no bytes
// for WriteTimeout; after Close it sends what remains, then closes.
func (c *guardConn) flush() {
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closing && c.err == nil {
			c.cond.Wait()
		}
		if c.err != nil || len(c.queue) == 0 {
			c.mu.Unlock()
			c.Conn.Close()
			return
		}
		b := c.queue
		c.queue = nil
		c.mu.Unlock()
		for len(b) > 0 {
			n := min(len(b), flushChunk)
			c.Conn.SetWriteDeadline(time.Now().Add(c.g.limits.WriteTimeout))
			if _, err := c.Conn.Write(b[:n]); err != nil {
				c.drop(fmt.Sprintf("write: %v", err))
				return
			}
			b = b[n:]
		}
	}
}

// Close lets the flush goroutine send what is queued and close the
// connection, and ends any read in progress now.
func (c *guardConn) Close() error {
	c.handshake.Stop()
	c.mu.Lock()
	c.closing = true
	c.cond.Broadcast()
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(time.Now())
}
