package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Channel names the ROUTER sockets a request can arrive on.
type Channel int

// The channels of a kernel that carry requests and their replies.
const (
	Shell Channel = iota
	Control
	Stdin
)

func (c Channel) String() string {
	return [...]string{"shell", "control", "stdin"}[c]
}

// pubMsg is one IOPub message queued for the single publisher goroutine.
type pubMsg struct {
	msgType string
	parent  json.RawMessage
	content any
	done    chan struct{} // closed once sent, when non-nil
}

// Server owns the five sockets of a connection, the IOPub publisher
// goroutine and the heartbeat, and turns frames into messages and back.
// Its methods are safe for concurrent use.
type Server struct {
	conn    ConnectionInfo
	signer  *Signer
	session string
	log     *log.Logger

	ctx    context.Context
	cancel context.CancelFunc

	routers [3]zmq4.Socket
	sendMu  [3]sync.Mutex // zmq4 sockets are not safe for concurrent Send
	iopub   zmq4.Socket
	hb      zmq4.Socket

	pub    chan pubMsg
	wg     sync.WaitGroup
	closed sync.Once
}

// Listen binds every socket of the connection and starts the publisher and
// the heartbeat, holding peers to DefaultLimits. Ports given as 0 are chosen
// by the system; Conn reports them.
func Listen(conn ConnectionInfo, lg *log.Logger) (*Server, error) {
	return ListenLimits(conn, lg, DefaultLimits)
}

// ListenLimits is Listen holding each peer to lim (zero fields: the default).
func ListenLimits(conn ConnectionInfo, lg *log.Logger, lim Limits) (*Server, error) {
	signer, err := NewSigner(conn.SignatureScheme, conn.Key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{conn: conn, signer: signer, session: NewUUID(), log: lg, ctx: ctx, cancel: cancel, pub: make(chan pubMsg, 1024)}
	if err := s.bindAll(lim.withDefaults()); err != nil {
		s.close()
		return nil, err
	}
	s.wg.Add(2)
	go s.publisher()
	go s.heartbeat()
	return s, nil
}

// bindAll creates and binds the sockets, writing chosen ports into s.conn.
// Each socket listens through the guarded transport (guard.go).
func (s *Server) bindAll(lim Limits) error {
	guarded := func(name string) context.Context {
		return context.WithValue(s.ctx, guardKey{}, &guard{socket: name, limits: lim, log: s.log, subOnly: name == "iopub"})
	}
	bind := func(sock zmq4.Socket, port *int, name string) error {
		if err := sock.Listen(guardScheme + s.conn.Endpoint(*port)); err != nil {
			return fmt.Errorf("bind %s socket on %s: %w", name, s.conn.Endpoint(*port), err)
		}
		if a, ok := sock.Addr().(*net.TCPAddr); ok && *port == 0 {
			*port = a.Port
		}
		return nil
	}
	ports := [3]*int{&s.conn.ShellPort, &s.conn.ControlPort, &s.conn.StdinPort}
	for i := range s.routers {
		ch := Channel(i)
		s.routers[i] = zmq4.NewRouter(guarded(ch.String()), zmq4.WithID(zmq4.SocketIdentity("hwnas-"+ch.String())), zmq4.WithLogger(s.log))
		if err := bind(s.routers[i], ports[i], ch.String()); err != nil {
			return err
		}
	}
	s.iopub = zmq4.NewPub(guarded("iopub"), zmq4.WithLogger(s.log))
	if err := bind(s.iopub, &s.conn.IOPubPort, "iopub"); err != nil {
		return err
	}
	s.hb = zmq4.NewRep(guarded("heartbeat"), zmq4.WithLogger(s.log))
	return bind(s.hb, &s.conn.HBPort, "heartbeat")
}

// Conn returns the connection info with the ports actually bound.
func (s *Server) Conn() ConnectionInfo { return s.conn }

// Session returns the per-process session id used in every header.
func (s *Server) Session() string { return s.session }

// pubDrain is how long Close waits for IOPub to drain before closing sockets.
const pubDrain = 100 * time.Millisecond

// Close sends what IOPub holds, then shuts every socket and waits for the
// publisher and the heartbeat. Recv then returns an error.
func (s *Server) Close() {
	s.Flush()
	// zmq4's PUB socket queues internally and has no flush: give the last
	// messages (the shutdown reply's idle status) time to reach subscribers.
	time.Sleep(pubDrain)
	s.close()
}

// close shuts every socket and waits for the publisher and heartbeat.
func (s *Server) close() {
	s.closed.Do(func() {
		s.cancel()
		for _, r := range s.routers {
			if r != nil {
				r.Close()
			}
		}
		if s.iopub != nil {
			s.iopub.Close()
		}
		if s.hb != nil {
			s.hb.Close()
		}
	})
	s.wg.Wait()
}

// publisher is the only goroutine that sends on IOPub, so messages keep the
// order in which they were queued.
func (s *Server) publisher() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case m := <-s.pub:
			if m.msgType != "" { // else a flush marker
				s.send(m)
			}
			if m.done != nil {
				close(m.done)
			}
		}
	}
}

// send signs and sends one IOPub message, its topic naming its type.
func (s *Server) send(m pubMsg) {
	topic := []byte("kernel." + s.session + "." + m.msgType)
	frames, err := s.signer.Encode([][]byte{topic}, NewHeader(s.session, m.msgType), m.parent, nil, m.content)
	if err != nil {
		s.log.Printf("iopub: %v", err)
	} else if err := s.iopub.Send(zmq4.NewMsgFrom(frames...)); err != nil && s.ctx.Err() == nil {
		s.log.Printf("iopub: send %s: %v", m.msgType, err)
	}
}

// Publish queues an IOPub message with the given parent header.
func (s *Server) Publish(msgType string, parent json.RawMessage, content any) {
	select {
	case s.pub <- pubMsg{msgType: msgType, parent: parent, content: content}:
	case <-s.ctx.Done():
	}
}

// Flush waits until every IOPub message queued so far has been sent.
func (s *Server) Flush() {
	done := make(chan struct{})
	select {
	case s.pub <- pubMsg{done: done}:
	case <-s.ctx.Done():
		return
	}
	select {
	case <-done:
	case <-s.ctx.Done():
	}
}

// heartbeat echoes every ping unchanged. A malformed ping is logged and
// skipped: only closing the server stops the heartbeat.
func (s *Server) heartbeat() {
	defer s.wg.Done()
	for {
		m, err := s.hb.Recv()
		if s.ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Printf("heartbeat: %v", err)
			continue
		}
		if err := s.hb.Send(m); err != nil && s.ctx.Err() == nil {
			s.log.Printf("heartbeat: echo: %v", err)
		}
	}
}

// Recv returns the next valid message on a channel. Malformed or badly
// signed messages are logged and dropped. It returns an error only when the
// socket is closed.
func (s *Server) Recv(ch Channel) (*Message, error) {
	for {
		m, err := s.routers[ch].Recv()
		if err != nil {
			return nil, fmt.Errorf("%s: receive: %w", ch, err)
		}
		msg, err := s.signer.Decode(m.Frames)
		if err != nil {
			if errors.Is(err, ErrBadSignature) {
				s.log.Printf("%s: dropped a message with a bad signature", ch)
			} else {
				s.log.Printf("%s: dropped a malformed message: %v", ch, err)
			}
			continue
		}
		return msg, nil
	}
}

// Reply sends a message on ch to the peer that sent req, with req's header
// as its parent: the reply to a request, or an input_request on stdin.
func (s *Server) Reply(ch Channel, req *Message, msgType string, content any) {
	frames, err := s.signer.Encode(req.Identities, NewHeader(s.session, msgType), req.HeaderRaw, nil, content)
	if err != nil {
		s.log.Printf("%s: %v", ch, err)
		return
	}
	s.sendMu[ch].Lock()
	defer s.sendMu[ch].Unlock()
	if err := s.routers[ch].SendMulti(zmq4.NewMsgFrom(frames...)); err != nil && s.ctx.Err() == nil {
		s.log.Printf("%s: send %s: %v", ch, msgType, err)
	}
}
