package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/dashboard"
	"github.com/hwnas/hwnas/engine/store"
)

// serveFlags are the options of `hwnas serve`.
type serveFlags struct {
	store, addr, token string
	poll               time.Duration
}

func init() {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--store DIR] [--addr 127.0.0.1:8080]",
		Short: "Serve a live dashboard of the result store in the browser",
		Long: `Serve the result store as a web page: every stored run with its status,
counts, spec hash and wall time; for each, its trials (sortable, filterable by
status, failed trials with their reason), its Pareto plot and the spec it ran;
for each trial its metrics, genome, network and design. Pages follow runs
that are writing to the store (from the CLI, a notebook or NATS workers)
within a few seconds. The store is only read, never locked or migrated.

The dashboard listens on loopback by default. An address beyond loopback
(0.0.0.0:8080, a LAN address) needs a token: give one with --token, or one is
generated and printed in the URL to open, as Jupyter does. Every request
must then carry it.`,
		Example: `  hwnas serve
  hwnas serve --store runs/.hwnas --addr 127.0.0.1:9000
  hwnas serve --addr 0.0.0.0:8080            # prints http://HOST:8080/?token=...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, cmd.OutOrStdout(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.store, "store", store.DefaultDir, "directory of the result store")
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port (port 0: any free port)")
	fl.StringVar(&f.token, "token", "", "token every request must carry (required beyond loopback; generated when not given)")
	fl.DurationVar(&f.poll, "poll", 2*time.Second, "how often pages look for new results")
	rootCmd.AddCommand(cmd)
}

// runServe listens on f.addr and serves the dashboard until ctx ends.
func runServe(ctx context.Context, w io.Writer, f *serveFlags) error {
	loop, err := dashboard.Loopback(f.addr)
	if err != nil {
		return &exitError{2, "hwnas serve: --addr: " + err.Error()}
	}
	if _, err := os.Stat(f.store); err != nil {
		return &exitError{1, fmt.Sprintf("hwnas serve: no result store at %s (run an experiment first, or pass --store)", f.store)}
	}
	if !loop && f.token == "" {
		if f.token, err = dashboard.NewToken(); err != nil {
			return &exitError{1, "hwnas serve: " + err.Error()}
		}
	}
	h, err := dashboard.New(dashboard.Options{Store: f.store, Token: f.token, Poll: f.poll})
	if err != nil {
		return &exitError{1, "hwnas serve: " + err.Error()}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return &exitError{1, "hwnas serve: " + err.Error()}
	}
	u := url.URL{Scheme: "http", Host: reachable(ln.Addr()), Path: "/"}
	if f.token != "" {
		u.RawQuery = url.Values{"token": {f.token}}.Encode()
	}
	fmt.Fprintf(w, "hwnas serve: the store %s at %s\n", f.store, u.String())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{1, "hwnas serve: " + err.Error()}
	}
	return nil
}

// reachable is where a browser finds a listener: on every interface
// (0.0.0.0, ::) this machine's name, as Jupyter prints it.
func reachable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		return a.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
