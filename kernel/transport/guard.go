package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
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
	// MaxPeers caps the connections of one socket; more are closed at once,
	// so that peers cannot use up the kernel's file descriptors.
	MaxPeers int
}

// DefaultLimits are the limits of Listen.
var DefaultLimits = Limits{
	MaxMessage:       64 << 20,
	MaxQueue:         64 << 20,
	WriteTimeout:     10 * time.Second,
	HandshakeTimeout: 10 * time.Second,
	MaxPeers:         64,
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
	if l.MaxPeers <= 0 {
		l.MaxPeers = DefaultLimits.MaxPeers
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
	socket  string
	limits  Limits
	log     *log.Logger
	subOnly bool // a PUB socket: peers may send only subscriptions
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
	gl := &guardListener{Listener: l, g: g, ready: make(chan net.Conn), done: make(chan struct{})}
	go gl.acceptLoop()
	return gl, nil
}

// guardListener accepts connections and hands zmq4 only those whose
// greeting and READY have arrived (see handshake): zmq4 handshakes inside
// its own accept loop, where one silent peer would keep out every later one.
type guardListener struct {
	net.Listener
	g     *guard
	ready chan net.Conn
	done  chan struct{}
	peers atomic.Int64 // connections not yet closed
}

func (l *guardListener) acceptLoop() {
	defer close(l.done)
	for {
		c, err := l.Listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			l.g.log.Printf("%s: accept: %v", l.g.socket, err)
			time.Sleep(10 * time.Millisecond) // out of file descriptors: let some close
			continue
		}
		if l.peers.Load() >= int64(l.g.limits.MaxPeers) {
			l.g.log.Printf("%s: refused peer %s: already %d connections", l.g.socket, c.RemoteAddr(), l.g.limits.MaxPeers)
			c.Close()
			continue
		}
		l.peers.Add(1)
		go func() {
			gc := newGuardConn(c, l.g, func() { l.peers.Add(-1) })
			if !gc.handshake() {
				return
			}
			select {
			case l.ready <- gc:
			case <-l.done:
				gc.Close()
			}
		}()
	}
}

func (l *guardListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
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

	rd      zmtpParser  // used by handshake, then by the one zmq4 reader
	replay  []byte      // what handshake read, for zmq4 to read again
	timer   *time.Timer // drops a peer that has not finished its handshake
	swallow int         // bytes of zmq4's greeting still to drop from writes

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []byte
	closing bool
	err     *dropError
}

// newGuardConn guards c; closed is called once c has been closed.
func newGuardConn(c net.Conn, g *guard, closed func()) *guardConn {
	gc := &guardConn{Conn: c, g: g, rd: zmtpParser{max: g.limits.MaxMessage, subOnly: g.subOnly}}
	gc.cond = sync.NewCond(&gc.mu)
	gc.timer = time.AfterFunc(g.limits.HandshakeTimeout, func() {
		gc.drop(fmt.Sprintf("no ZMTP handshake within %v", g.limits.HandshakeTimeout))
	})
	go func() {
		defer closed()
		gc.flush()
	}()
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

// handshake sends the kernel's ZMTP greeting and reads the peer's greeting
// and READY command, keeping them for zmq4 to read; zmq4's own greeting,
// the same bytes, is dropped when it writes it. It reports whether the peer
// may be handed to zmq4.
func (c *guardConn) handshake() bool {
	c.Conn.SetWriteDeadline(time.Now().Add(c.g.limits.HandshakeTimeout))
	if _, err := c.Conn.Write(nullGreeting()); err != nil {
		c.drop(fmt.Sprintf("handshake: %v", err))
		return false
	}
	// Read no further than the READY, so that zmq4 reading past the replay
	// means it has accepted the handshake.
	for !c.rd.handshaken {
		buf := make([]byte, c.rd.want())
		n, err := io.ReadFull(c.Conn, buf) // fails when the timer drops the peer
		if perr := c.rd.feed(buf[:n]); perr != nil {
			c.drop(perr.Error())
			return false
		}
		c.replay = append(c.replay, buf[:n]...)
		if err != nil {
			c.drop(fmt.Sprintf("handshake: %v", err))
			return false
		}
	}
	c.swallow = zmtpGreeting
	return true
}

func (c *guardConn) Read(p []byte) (int, error) {
	if len(c.replay) > 0 {
		n := copy(p, c.replay)
		c.replay = c.replay[n:]
		return n, nil
	}
	// zmq4 reads past the handshake only once it has accepted it (it
	// neither closes nor reads again a connection whose handshake failed).
	c.timer.Stop()
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
	n := len(p)
	k := min(c.swallow, len(p))
	c.swallow -= k
	c.queue = append(c.queue, p[k:]...)
	c.cond.Signal()
	c.mu.Unlock()
	return n, nil
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
	c.timer.Stop()
	c.mu.Lock()
	c.closing = true
	c.cond.Broadcast()
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(time.Now())
}
