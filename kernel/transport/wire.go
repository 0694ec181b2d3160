package transport

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks
// (Jupyter messaging specification, "Versioning"). 5.3 is what Debian's
// jupyter_client 7.4.9 speaks. jupyter_kernel_test (msgspec_v5.py) validates
// messages of versions up to 5.1 against its 5.1 schemas with no field
// beyond those allowed, and the replies here carry newer fields.
const ProtocolVersion = "5.3"

// delimiter separates routing identities from the signed message frames
// (Jupyter messaging specification, "The Wire Protocol").
const delimiter = "<IDS|MSG>"

// Header is a Jupyter message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one decoded Jupyter message. Parent holds the raw parent header
// so that replies echo the request header exactly, extra fields included.
type Message struct {
	Identities [][]byte
	Header     Header
	HeaderRaw  json.RawMessage
	Parent     json.RawMessage
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte
}

// Signer computes and checks message signatures. A nil or empty key turns
// signing off (the signature frame is then empty and not checked).
type Signer struct {
	key []byte
}

// NewSigner returns a signer for the given scheme and key. Only hmac-sha256
// (and an empty scheme with an empty key) are supported.
func NewSigner(scheme, key string) (*Signer, error) {
	if key == "" {
		return &Signer{}, nil
	}
	if scheme != "hmac-sha256" && scheme != "" {
		return nil, fmt.Errorf("signature scheme %q: only hmac-sha256 is supported", scheme)
	}
	return &Signer{key: []byte(key)}, nil
}

func (s *Signer) mac() hash.Hash { return hmac.New(sha256.New, s.key) }

// Sign returns the hex signature of the four JSON frames.
func (s *Signer) Sign(frames ...[]byte) []byte {
	if len(s.key) == 0 {
		return []byte{}
	}
	m := s.mac()
	for _, f := range frames {
		m.Write(f)
	}
	sum := m.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// verify checks sig against the four JSON frames in constant time.
func (s *Signer) verify(sig []byte, frames ...[]byte) bool {
	if len(s.key) == 0 {
		return true
	}
	return hmac.Equal(sig, s.Sign(frames...))
}

// ErrBadSignature reports a message whose HMAC does not match.
var ErrBadSignature = errors.New("bad message signature")

// Decode parses the multipart frames of a message received on a ROUTER or
// SUB socket and checks its signature. The frames are those of "The Wire
// Protocol" of the Jupyter messaging specification: routing identities, the
// delimiter, the signature, header, parent header, metadata, content, and
// optional binary buffers.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	d := -1
	for i, f := range frames {
		if string(f) == delimiter {
			d = i
			break
		}
	}
	if d < 0 {
		return nil, fmt.Errorf("decode message: no %q delimiter among %d frames", delimiter, len(frames))
	}
	rest := frames[d+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("decode message: %d frames after the delimiter, want at least 5 (signature, header, parent, metadata, content)", len(rest))
	}
	if !s.verify(rest[0], rest[1], rest[2], rest[3], rest[4]) {
		return nil, ErrBadSignature
	}
	m := &Message{
		Identities: frames[:d],
		HeaderRaw:  json.RawMessage(rest[1]),
		Parent:     json.RawMessage(rest[2]),
		Metadata:   json.RawMessage(rest[3]),
		Content:    json.RawMessage(rest[4]),
		Buffers:    rest[5:],
	}
	if err := json.Unmarshal(rest[1], &m.Header); err != nil {
		return nil, fmt.Errorf("decode message: header: %w", err)
	}
	if m.Header.MsgType == "" {
		return nil, errors.New("decode message: header has no msg_type")
	}
	for name, f := range map[string][]byte{"parent_header": rest[2], "metadata": rest[3], "content": rest[4]} {
		if len(f) > 0 && !json.Valid(f) {
			return nil, fmt.Errorf("decode message: %s is not valid JSON", name)
		}
	}
	if len(m.Content) == 0 {
		m.Content = json.RawMessage("{}")
	}
	return m, nil
}

// Encode serialises a message with the given identities into wire frames.
func (s *Signer) Encode(ids [][]byte, h Header, parent json.RawMessage, metadata, content any) ([][]byte, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode %s header: %w", h.MsgType, err)
	}
	if len(parent) == 0 {
		parent = json.RawMessage("{}")
	}
	if metadata == nil {
		metadata = struct{}{}
	}
	mb, err := json.Marshal(metadata)
	if err != nil {
		return nil, fmt.Errorf("encode %s metadata: %w", h.MsgType, err)
	}
	cb, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("encode %s content: %w", h.MsgType, err)
	}
	frames := make([][]byte, 0, len(ids)+6)
	frames = append(frames, ids...)
	frames = append(frames, []byte(delimiter), s.Sign(hb, parent, mb, cb), hb, parent, mb, cb)
	return frames, nil
}

// NewUUID returns a random RFC 4122 version 4 UUID, as message ids and
// sessions are.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewHeader builds a header for a message of the given type in a session.
func NewHeader(session, msgType string) Header {
	return Header{
		MsgID:    NewUUID(),
		Session:  session,
		Username: "hwnas",
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}
