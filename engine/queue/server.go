package queue

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig is an embedded NATS server with JetStream.
type ServerConfig struct {
	Dir  string // JetStream file store; "" for a temporary directory removed by Shutdown
	Host string // listening address (default 127.0.0.1)
	Port int    // 0 picks a free port
	// Credentials clients must present: a token, or a user and password.
	Token, User, Password string
	TLSCert, TLSKey       string // PEM files: serve TLS only
}

// Server is a running embedded server.
type Server struct {
	ns   *server.Server
	dir  string
	temp bool
}

// StartServer starts an in-process NATS server with JetStream on a file
// store and waits until it accepts connections.
func StartServer(c ServerConfig) (*Server, error) {
	if c.Token != "" && (c.User != "" || c.Password != "") {
		return nil, fmt.Errorf("embedded NATS server: give a token or a user and password, not both")
	}
	if (c.User == "") != (c.Password == "") {
		return nil, fmt.Errorf("embedded NATS server: a user needs a password and a password a user")
	}
	if c.Port < 0 || c.Port > 65535 {
		return nil, fmt.Errorf("embedded NATS server: port %d out of range", c.Port)
	}
	s := &Server{dir: c.Dir}
	if s.dir == "" {
		removeStaleDirs()
		d, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", tempPrefix, os.Getpid()))
		if err != nil {
			return nil, fmt.Errorf("embedded NATS server: %w", err)
		}
		s.dir, s.temp = d, true
	}
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := c.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{ServerName: "hwnas", Host: host, Port: port, JetStream: true, StoreDir: s.dir,
		NoSigs: true, NoLog: true, Authorization: c.Token, Username: c.User, Password: c.Password}
	if c.TLSCert != "" || c.TLSKey != "" {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: c.TLSCert, KeyFile: c.TLSKey})
		if err != nil {
			s.cleanup()
			return nil, fmt.Errorf("embedded NATS server TLS: %w", err)
		}
		tc.MinVersion = tls.VersionTLS12
		opts.TLSConfig, opts.TLS, opts.TLSTimeout = tc, true, 2
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	s.ns = ns
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		s.cleanup()
		return nil, fmt.Errorf("embedded NATS server on %s:%d did not start within 10s", host, c.Port)
	}
	return s, nil
}

// URL is the nats:// address clients connect to.
func (s *Server) URL() string {
	if a, ok := s.ns.Addr().(*net.TCPAddr); ok {
		return "nats://" + net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port))
	}
	return s.ns.ClientURL()
}

// Port is the port the server listens on.
func (s *Server) Port() int {
	if a, ok := s.ns.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// Dir is the JetStream store directory.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down and waits for it, keeping its store (a server
// started on the same Dir and Port carries on where it stopped).
func (s *Server) Stop() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// Shutdown stops the server and removes a temporary store.
func (s *Server) Shutdown() {
	s.Stop()
	s.cleanup()
}

// tempPrefix starts the name of a temporary store, followed by the pid of
// the process that made it.
const tempPrefix = "hwnas-nats-"

// removeStaleDirs removes the temporary stores that processes now dead left
// behind (killed with SIGKILL, they could not remove their own). A store
// of a process that lives, or that may be another user's, is kept.
func removeStaleDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*-*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(filepath.Base(d), tempPrefix), "-", 2)[0])
		if err != nil || pid <= 0 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		os.RemoveAll(d)
	}
}

// processAlive reports whether process pid exists (a process of another
// user counts as alive).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (s *Server) cleanup() {
	if s.temp {
		os.RemoveAll(s.dir)
	}
}
