package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"

	"github.com/go-zeromq/zmq4"
)

// channel names the ROUTER sockets a request can arrive on.
type channel int

const (
	shellCh channel = iota
	controlCh
	stdinCh
)

func (c channel) String() string {
	return [...]string{"shell", "control", "stdin"}[c]
}

// pubMsg is one IOPub message queued for the single publisher goroutine.
type pubMsg struct {
	msgType string
	parent  json.RawMessage
	content any
	done    chan struct{} // closed once sent, when non-nil
}

// server is the transport layer: it owns the five sockets, the IOPub
// publisher goroutine and the heartbeat, and turns frames into messages.
type server struct {
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

// listen binds every socket of the connection. Ports given as 0 are chosen by
// the system and written back into s.conn.
func newServer(conn ConnectionInfo, lg *log.Logger) (*server, error) {
	signer, err := NewSigner(conn.SignatureScheme, conn.Key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{conn: conn, signer: signer, session: newUUID(), log: lg, ctx: ctx, cancel: cancel, pub: make(chan pubMsg, 1024)}
	bind := func(sock zmq4.Socket, port *int, name string) error {
		if err := sock.Listen(s.conn.endpoint(*port)); err != nil {
			return fmt.Errorf("bind %s socket on %s: %w", name, s.conn.endpoint(*port), err)
		}
		if a, ok := sock.Addr().(*net.TCPAddr); ok && *port == 0 {
			*port = a.Port
		}
		return nil
	}
	ports := [3]*int{&s.conn.ShellPort, &s.conn.ControlPort, &s.conn.StdinPort}
	for i := range s.routers {
		s.routers[i] = zmq4.NewRouter(ctx, zmq4.WithID(zmq4.SocketIdentity("hwnas-"+channel(i).String())))
		if err := bind(s.routers[i], ports[i], channel(i).String()); err != nil {
			s.close()
			return nil, err
		}
	}
	s.iopub = zmq4.NewPub(ctx)
	if err := bind(s.iopub, &s.conn.IOPubPort, "iopub"); err != nil {
		s.close()
		return nil, err
	}
	s.hb = zmq4.NewRep(ctx)
	if err := bind(s.hb, &s.conn.HBPort, "heartbeat"); err != nil {
		s.close()
		return nil, err
	}
	s.wg.Add(2)
	go s.publisher()
	go s.heartbeat()
	return s, nil
}

// close shuts every socket and waits for the publisher and heartbeat.
func (s *server) close() {
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
func (s *server) publisher() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case m := <-s.pub:
			if m.msgType == "" { // a flush marker
				close(m.done)
				continue
			}
			frames, err := s.signer.Encode([][]byte{[]byte("kernel." + s.session + "." + m.msgType)}, newHeader(s.session, m.msgType), m.parent, nil, m.content)
			if err != nil {
				s.log.Printf("iopub: %v", err)
			} else if err := s.iopub.Send(zmq4.NewMsgFrom(frames...)); err != nil && s.ctx.Err() == nil {
				s.log.Printf("iopub: send %s: %v", m.msgType, err)
			}
			if m.done != nil {
				close(m.done)
			}
		}
	}
}

// publish queues an IOPub message.
func (s *server) publish(msgType string, parent json.RawMessage, content any) {
	select {
	case s.pub <- pubMsg{msgType: msgType, parent: parent, content: content}:
	case <-s.ctx.Done():
	}
}

// flush waits until every IOPub message queued so far has been sent.
func (s *server) flush() {
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

// heartbeat echoes every ping unchanged.
func (s *server) heartbeat() {
	defer s.wg.Done()
	for {
		m, err := s.hb.Recv()
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Printf("heartbeat: %v", err)
			}
			return
		}
		if err := s.hb.Send(m); err != nil && s.ctx.Err() == nil {
			s.log.Printf("heartbeat: echo: %v", err)
		}
	}
}

// recv returns the next valid message on a ROUTER channel. Malformed or
// badly signed messages are logged and dropped. It returns an error only when
// the socket is closed.
func (s *server) recv(ch channel) (*Message, error) {
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

// reply sends a reply on the channel the request came in on.
func (s *server) reply(ch channel, req *Message, msgType string, content any) {
	frames, err := s.signer.Encode(req.Identities, newHeader(s.session, msgType), req.HeaderRaw, nil, content)
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
