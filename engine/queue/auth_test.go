package queue

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuth: a client without the server's credentials is refused; with
// them it connects.
func TestAuth(t *testing.T) {
	tokenSrv := startServer(t, ServerConfig{Token: "t0ken"})
	userSrv := startServer(t, ServerConfig{User: "hwnas", Password: "pa55"})
	for _, c := range []struct {
		name string
		opts ConnOptions
		want string // "" for a connection
	}{
		{"no token", ConnOptions{URL: tokenSrv.URL()}, "Authorization Violation"},
		{"wrong token", ConnOptions{URL: tokenSrv.URL(), Token: "guess"}, "Authorization Violation"},
		{"token", ConnOptions{URL: tokenSrv.URL(), Token: "t0ken"}, ""},
		{"no user", ConnOptions{URL: userSrv.URL()}, "Authorization Violation"},
		{"wrong password", ConnOptions{URL: userSrv.URL(), User: "hwnas", Password: "nope"}, "Authorization Violation"},
		{"user and password", ConnOptions{URL: userSrv.URL(), User: "hwnas", Password: "pa55"}, ""},
		{"token and user", ConnOptions{URL: userSrv.URL(), Token: "x", User: "hwnas", Password: "pa55"}, "not both"},
		{"user without password", ConnOptions{URL: userSrv.URL(), User: "hwnas"}, "needs a password"},
		{"no URL", ConnOptions{}, "no NATS server URL"},
		{"nothing listening", ConnOptions{URL: "nats://127.0.0.1:1"}, "connecting to NATS at nats://127.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			nc, err := Connect(c.opts)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				nc.Close()
				return
			}
			if err == nil {
				nc.Close()
				t.Fatalf("connected, want an error saying %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestServerConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  ServerConfig
		want string
	}{
		{ServerConfig{Token: "a", User: "b", Password: "c"}, "not both"},
		{ServerConfig{User: "b"}, "needs a password"},
		{ServerConfig{Port: 70000}, "out of range"},
		{ServerConfig{TLSCert: "/nonexistent/cert.pem", TLSKey: "/nonexistent/key.pem"}, "TLS"},
	} {
		s, err := StartServer(c.cfg)
		if err == nil {
			s.Shutdown()
			t.Errorf("%+v: started", c.cfg)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %q does not say %q", c.cfg, err, c.want)
		}
	}
}

// TestTLS: a server serving TLS accepts a client that trusts its CA and
// refuses one that does not.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := writeTestCert(t, dir)
	srv := startServer(t, ServerConfig{Token: "tls", TLSCert: cert, TLSKey: key})
	url := strings.Replace(srv.URL(), "nats://", "tls://", 1)
	nc, err := Connect(ConnOptions{URL: url, Token: "tls", TLSCA: ca})
	if err != nil {
		t.Fatal(err)
	}
	if !nc.TLSRequired() {
		t.Error("connection is not TLS")
	}
	nc.Close()
	if nc, err := Connect(ConnOptions{URL: url, Token: "tls"}); err == nil {
		nc.Close()
		t.Error("a client that does not trust the CA connected")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("error %q does not mention the certificate", err)
	}
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 (its own CA)
// and its key.
func writeTestCert(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hwnas test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, cert, key
}
