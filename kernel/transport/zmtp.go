package transport

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// ZMTP 3 framing (https://rfc.zeromq.org/spec/23/): a 64-byte greeting, then
// frames of a flags byte, a 1- or 8-byte big-endian size and the body.
const (
	zmtpGreeting = 64
	flagMore     = 0x1
	flagLong     = 0x2
	flagCommand  = 0x4
	// maxCommand caps a command frame (READY, PING, ERROR: all small).
	maxCommand = 64 << 10
)

// nullGreeting is the greeting zmq4 sends: ZMTP 3.0, NULL, not as-server.
func nullGreeting() []byte {
	g := make([]byte, zmtpGreeting)
	g[0], g[9], g[10] = 0xff, 0x7f, 3
	copy(g[12:], "NULL")
	return g
}

// zmtpParser follows the frames a peer sends, byte by byte as zmq4 reads
// them, and fails as soon as a header declares a frame or message over max
// or a command is malformed in a way zmq4 does not check.
type zmtpParser struct {
	max int64
	// subOnly admits only (un)subscriptions after the handshake, as a PUB
	// socket receives: zmq4 queues any other message for a Recv that PUB
	// never does, pinning up to 10 messages plus one per connection.
	subOnly bool

	greeting   int     // greeting bytes seen
	hdr        [9]byte // flags and size of the frame being read
	hdrN       int     // bytes of hdr seen
	body       int64   // body bytes still to come
	inBody     bool
	flags      byte
	msg        int64  // bytes of the message so far
	cmd        []byte // body of the command frame being read
	handshaken bool   // the first command (READY) has arrived whole
}

// feed checks the next bytes the peer sent.
func (z *zmtpParser) feed(p []byte) error {
	for len(p) > 0 {
		switch {
		case z.greeting < zmtpGreeting:
			n := min(len(p), zmtpGreeting-z.greeting)
			z.greeting += n
			p = p[n:]
		case z.inBody:
			n := int(min(int64(len(p)), z.body))
			if z.collect() {
				z.cmd = append(z.cmd, p[:n]...)
			}
			z.body -= int64(n)
			p = p[n:]
			if z.body == 0 {
				if err := z.endFrame(); err != nil {
					return err
				}
			}
		default:
			z.hdr[z.hdrN] = p[0]
			z.hdrN++
			p = p[1:]
			if err := z.header(); err != nil {
				return err
			}
		}
	}
	return nil
}

// want is how many bytes can be read next without passing the end of the
// greeting, a header or a frame.
func (z *zmtpParser) want() int {
	switch {
	case z.greeting < zmtpGreeting:
		return zmtpGreeting - z.greeting
	case z.inBody:
		return int(z.body)
	case z.hdrN > 0 && z.hdr[0]&flagLong != 0:
		return 9 - z.hdrN
	default:
		return 2 - z.hdrN
	}
}

// header acts on a header once its last byte has arrived.
func (z *zmtpParser) header() error {
	long := z.hdr[0]&flagLong != 0
	if z.hdrN < 2 || long && z.hdrN < 9 {
		return nil
	}
	z.flags, z.hdrN = z.hdr[0], 0
	size := uint64(z.hdr[1])
	if long {
		size = binary.BigEndian.Uint64(z.hdr[1:])
	}
	if size > uint64(z.max) || uint64(z.msg)+size > uint64(z.max) {
		return fmt.Errorf("a frame of %d bytes (message so far %d) exceeds the %d-byte limit", size, z.msg, z.max)
	}
	if !z.handshaken && z.flags&flagCommand == 0 {
		return fmt.Errorf("a message before the READY command")
	}
	if z.collect() && size > maxCommand {
		return fmt.Errorf("a command or subscription of %d bytes exceeds the %d-byte limit", size, maxCommand)
	}
	if z.subOnly && z.handshaken && z.flags&(flagCommand|flagMore) == flagMore {
		return fmt.Errorf("a message of more than one frame where only subscriptions are taken")
	}
	z.msg += int64(size)
	z.body, z.inBody = int64(size), true
	z.cmd = z.cmd[:0]
	if size == 0 {
		return z.endFrame()
	}
	return nil
}

// endFrame acts on a frame whose body has arrived whole.
func (z *zmtpParser) endFrame() error {
	z.inBody = false
	if z.flags&flagMore == 0 {
		z.msg = 0
	}
	if z.flags&flagCommand == 0 {
		if z.collect() && (len(z.cmd) == 0 || z.cmd[0] > 1) {
			return fmt.Errorf("a message that is not a subscription where only subscriptions are taken")
		}
		return nil
	}
	if err := checkCommand(z.cmd); err != nil {
		return err
	}
	z.handshaken = true
	return nil
}

// collect reports whether the body of the current frame is kept to check:
// a command's, or a subscription's where only those are taken.
func (z *zmtpParser) collect() bool {
	return z.flags&flagCommand != 0 || z.subOnly && z.handshaken
}

// checkCommand rejects a command that zmq4 v0.17.0 would panic on: a name
// or READY property that overruns its frame (an index out of range), or a
// READY without a known Socket-Type ("unknown socket-type").
func checkCommand(b []byte) error {
	if len(b) == 0 || int(b[0]) > len(b)-1 {
		return fmt.Errorf("a malformed ZMTP command")
	}
	name, props := string(b[1:1+b[0]]), b[1+b[0]:]
	if name != "READY" {
		return nil
	}
	sockType, keys := "", 0
	for len(props) > 0 {
		k := int(props[0])
		if len(props) < 1+k+4 {
			return fmt.Errorf("a malformed READY property")
		}
		key := string(props[1 : 1+k])
		v := binary.BigEndian.Uint32(props[1+k:])
		props = props[1+k+4:]
		if uint64(v) > uint64(len(props)) {
			return fmt.Errorf("a malformed READY property value")
		}
		if strings.EqualFold(key, "Socket-Type") {
			keys++
			if isSocketTypeKey(key) {
				sockType = string(props[:v])
			}
		}
		props = props[v:]
	}
	if keys != 1 || !slices.Contains(socketTypes, sockType) {
		return fmt.Errorf("a READY with socket type %q", sockType)
	}
	return nil
}

// socketTypes are the ZMTP socket types zmq4 knows.
var socketTypes = []string{"PAIR", "PUB", "SUB", "XPUB", "XSUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH"}

// isSocketTypeKey reports whether zmq4, which title-cases each word of a
// property name and leaves the other letters, reads key as Socket-Type. It
// is conservative: a READY must have exactly one key equal to Socket-Type
// under case folding (which also catches "ſocket-type", title-cased "S"),
// and of this form.
func isSocketTypeKey(key string) bool {
	return len(key) == 11 && (key[0] == 's' || key[0] == 'S') && key[1:7] == "ocket-" &&
		(key[7] == 't' || key[7] == 'T') && key[8:] == "ype"
}
