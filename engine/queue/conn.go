package queue

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnOptions are how a client reaches NATS: the server URL (nats:// or
// tls://, comma-separated for a cluster), credentials, TLS files.
type ConnOptions struct {
	URL                  string
	Token                string
	User, Password       string
	TLSCA                string // PEM file of the CA that signed the server's certificate
	TLSCert, TLSKey      string // client certificate and key, when the server verifies clients
	Name                 string // connection name shown by the server's monitoring
	ReconnectWait        time.Duration
	DisconnectErrHandler func(error)
	ReconnectedHandler   func()
}

// Connect opens a connection that reconnects forever after it was once
// established; a refused first connection (bad credentials, no server) is an
// error.
func Connect(o ConnOptions) (*nats.Conn, error) {
	if o.URL == "" {
		return nil, errors.New("no NATS server URL")
	}
	if o.Token != "" && (o.User != "" || o.Password != "") {
		return nil, errors.New("NATS credentials: give a token or a user and password, not both")
	}
	if (o.User == "") != (o.Password == "") {
		return nil, errors.New("NATS credentials: a user needs a password and a password a user")
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return nil, errors.New("NATS TLS: a client certificate needs its key and a key its certificate")
	}
	wait := o.ReconnectWait
	if wait <= 0 {
		wait = 250 * time.Millisecond
	}
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(wait), nats.Timeout(5 * time.Second)}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.User != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if o.TLSCert != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	if h := o.DisconnectErrHandler; h != nil {
		opts = append(opts, nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { h(err) }))
	}
	if h := o.ReconnectedHandler; h != nil {
		opts = append(opts, nats.ReconnectHandler(func(*nats.Conn) { h() }))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", Redact(o.URL), err)
	}
	return nc, nil
}

// The environment variables ConnFromEnv reads, and `hwnas worker` too.
const (
	EnvToken    = "HWNAS_NATS_TOKEN"
	EnvUser     = "HWNAS_NATS_USER"
	EnvPassword = "HWNAS_NATS_PASSWORD"
	EnvTLSCA    = "HWNAS_NATS_TLS_CA"
	EnvTLSCert  = "HWNAS_NATS_TLS_CERT"
	EnvTLSKey   = "HWNAS_NATS_TLS_KEY"
)

// ConnFromEnv fills the credentials and TLS files o leaves empty from the
// environment: a token, or a user and password, and the TLS files.
func ConnFromEnv(o ConnOptions) ConnOptions {
	fill := func(v *string, env string) {
		if *v == "" {
			*v = os.Getenv(env)
		}
	}
	if o.User == "" && o.Password == "" {
		fill(&o.Token, EnvToken)
	}
	if o.Token == "" {
		fill(&o.User, EnvUser)
		fill(&o.Password, EnvPassword)
	}
	fill(&o.TLSCA, EnvTLSCA)
	fill(&o.TLSCert, EnvTLSCert)
	fill(&o.TLSKey, EnvTLSKey)
	return o
}
