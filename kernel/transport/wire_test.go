package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSignDecodeRoundTrip(t *testing.T) {
	for _, key := range []string{"", "secret"} {
		s, err := NewSigner("hmac-sha256", key)
		if err != nil {
			t.Fatal(err)
		}
		h := NewHeader("sess", "execute_request")
		frames, err := s.Encode([][]byte{[]byte("id1"), []byte("id2")}, h, json.RawMessage(`{"msg_id":"p"}`), map[string]any{"m": 1}, map[string]any{"code": "x"})
		if err != nil {
			t.Fatal(err)
		}
		if key == "" && len(frames[3]) != 0 {
			t.Errorf("empty key: signature %q, want empty", frames[3])
		}
		m, err := s.Decode(frames)
		if err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
		if m.Header != h || string(m.Parent) != `{"msg_id":"p"}` || len(m.Identities) != 2 || string(m.Identities[1]) != "id2" || !strings.Contains(string(m.Content), `"x"`) {
			t.Errorf("key %q: decoded %+v", key, m)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", "k")
	h := []byte(`{"msg_id":"1","session":"s","username":"u","date":"d","msg_type":"kernel_info_request","version":"5.3"}`)
	e := []byte("{}")
	sign := func(fs ...[]byte) []byte { return s.Sign(fs...) }
	tests := []struct {
		name   string
		frames [][]byte
		want   string
	}{
		{"no delimiter", [][]byte{h, e}, "no \"<IDS|MSG>\" delimiter"},
		{"too few frames", [][]byte{[]byte(delimiter), sign(h, e, e, e), h, e}, "want at least 5"},
		{"wrong signature", [][]byte{[]byte(delimiter), []byte("abcd"), h, e, e, e}, "bad message signature"},
		{"signature of other content", [][]byte{[]byte(delimiter), sign(h, e, e, []byte(`{"a":1}`)), h, e, e, e}, "bad message signature"},
		{"header not JSON", [][]byte{[]byte(delimiter), sign([]byte("{"), e, e, e), []byte("{"), e, e, e}, "header"},
		{"no msg_type", [][]byte{[]byte(delimiter), sign(e, e, e, e), e, e, e, e}, "no msg_type"},
		{"content not JSON", [][]byte{[]byte(delimiter), sign(h, e, e, []byte("[")), h, e, e, []byte("[")}, "content is not valid JSON"},
	}
	for _, tt := range tests {
		_, err := s.Decode(tt.frames)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
		if tt.want == "bad message signature" && !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: not ErrBadSignature", tt.name)
		}
	}
}

func TestNewSignerSchemes(t *testing.T) {
	if _, err := NewSigner("hmac-md5", "k"); err == nil || !strings.Contains(err.Error(), "hmac-md5") {
		t.Errorf("hmac-md5: %v", err)
	}
	if _, err := NewSigner("hmac-md5", ""); err != nil {
		t.Errorf("unsigned: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	s, _ := NewSigner("hmac-sha256", "k")
	h := NewHeader("s", "kernel_info_request")
	frames, _ := s.Encode([][]byte{[]byte("id")}, h, nil, nil, map[string]any{})
	f.Add(bytes.Join(frames, []byte{0}))
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs := bytes.Split(b, []byte{0})
		m, err := s.Decode(fs)
		if err == nil && m.Header.MsgType == "" {
			t.Fatal("decoded a message without msg_type")
		}
		u, _ := NewSigner("", "")
		u.Decode(fs)
	})
}

func TestParseConnection(t *testing.T) {
	tests := []struct {
		json, want string
	}{
		{`{"transport":"tcp","ip":"127.0.0.1","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-sha256"}`, ""},
		{`{"ip":"127.0.0.1"}`, ""},
		{`{"transport":"udp","ip":"x"}`, `transport "udp"`},
		{`{"transport":"tcp"}`, "no ip"},
		{`{"ip":"x","shell_port":70000}`, "shell_port 70000 out of range"},
		{`{"ip":"x","key":"k","signature_scheme":"hmac-sha1"}`, "only hmac-sha256"},
		{`{"ip":`, "unexpected end"},
	}
	for _, tt := range tests {
		_, err := ParseConnection([]byte(tt.json), "c.json")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: error %v, want %q", tt.json, err, tt.want)
		}
	}
	if _, err := LoadConnectionFile("/nonexistent/c.json"); err == nil || !strings.Contains(err.Error(), "read connection file") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseConnection(f *testing.F) {
	f.Add([]byte(`{"transport":"tcp","ip":"127.0.0.1","shell_port":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseConnection(b, "fuzz")
	})
}

// BenchmarkSign measures HMAC-SHA256 signing of a typical message.
func BenchmarkSign(b *testing.B) {
	s, _ := NewSigner("hmac-sha256", "0123456789abcdef0123456789abcdef")
	h := []byte(`{"msg_id":"1","session":"s","username":"u","date":"d","msg_type":"execute_request","version":"5.3"}`)
	content := []byte(`{"code":"%%go\n1 + 1","silent":false}`)
	for range b.N {
		s.Sign(h, []byte("{}"), []byte("{}"), content)
	}
}
