package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine/queue"
)

// The environment variables credentials may come from instead of flags
// (which other users of the machine can read in the process list).
const (
	envNATSToken    = queue.EnvToken
	envNATSUser     = queue.EnvUser
	envNATSPassword = queue.EnvPassword
	envNATSCA       = queue.EnvTLSCA
	envNATSCert     = queue.EnvTLSCert
	envNATSKey      = queue.EnvTLSKey
)

type workerFlags struct {
	conn        queue.ConnOptions
	concurrency int
	threads     int
	quiet       bool
	allow       []string
}

func init() {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --nats URL",
		Short: "Evaluate networks for experiments run elsewhere (NATS JetStream work queue)",
		Long: `Pull evaluation requests from a NATS JetStream server, train or look up each
network with the evaluator the experiment names (train, table, command or
supernet: the supernet's weights are fetched from the server once), and
publish the results. Runs until interrupted; start as many as you like,
on as many machines. A request is acknowledged only after its result is
stored, so a worker killed mid-evaluation loses nothing: its request is
delivered again to another worker.

Credentials: --token, or --user and --password, or the environment variables
HWNAS_NATS_TOKEN, HWNAS_NATS_USER, HWNAS_NATS_PASSWORD; TLS files with
--tls-ca (the server's CA) and --tls-cert/--tls-key (a client certificate),
or HWNAS_NATS_TLS_CA, HWNAS_NATS_TLS_CERT, HWNAS_NATS_TLS_KEY.

Anyone who can publish on the server (who has its token) can ask a worker
to run a command evaluator: a program, as the worker's user. A worker runs
none unless allowed with --allow-command PROGRAM (repeat it; '*' for any).
See docs/distributed.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runWorker(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.conn.URL, "nats", "", "NATS server URL, e.g. nats://10.0.0.5:4222 (comma-separated for a cluster)")
	fl.IntVar(&f.concurrency, "concurrency", 1, "evaluations at once")
	fl.IntVar(&f.threads, "threads", 0, "cores per evaluation (default: all cores / concurrency)")
	fl.StringVar(&f.conn.Name, "name", "", "worker name in results and logs (default host:pid)")
	fl.StringVar(&f.conn.Token, "token", "", "authentication token (or $"+envNATSToken+")")
	fl.StringVar(&f.conn.User, "user", "", "user name (or $"+envNATSUser+")")
	fl.StringVar(&f.conn.Password, "password", "", "password (or $"+envNATSPassword+")")
	fl.StringVar(&f.conn.TLSCA, "tls-ca", "", "PEM file of the CA that signed the server's certificate (or $"+envNATSCA+")")
	fl.StringVar(&f.conn.TLSCert, "tls-cert", "", "client certificate PEM file (or $"+envNATSCert+")")
	fl.StringVar(&f.conn.TLSKey, "tls-key", "", "client key PEM file (or $"+envNATSKey+")")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "log only errors")
	fl.StringArrayVar(&f.allow, "allow-command", nil, "run command evaluators of this program (repeat for several; '*' for any); without it, none")
	rootCmd.AddCommand(cmd)
}

func runWorker(cmd *cobra.Command, f *workerFlags) error {
	if f.conn.URL == "" {
		return &exitError{2, "hwnas worker: --nats URL is required (e.g. --nats nats://10.0.0.5:4222)"}
	}
	if f.concurrency < 1 {
		return &exitError{2, fmt.Sprintf("hwnas worker: --concurrency %d: want at least 1", f.concurrency)}
	}
	if f.threads < 0 {
		return &exitError{2, fmt.Sprintf("hwnas worker: --threads %d: want 0 (automatic) or more", f.threads)}
	}
	if f.conn.Token != "" && (f.conn.User != "" || f.conn.Password != "") {
		return &exitError{2, "hwnas worker: give --token or --user and --password, not both"}
	}
	lg := log.New(cmd.ErrOrStderr(), "hwnas worker: ", log.LstdFlags)
	o := queue.ConnFromEnv(f.conn)
	o.DisconnectErrHandler = func(err error) {
		if err != nil {
			lg.Printf("disconnected from %s: %v; reconnecting", queue.Redact(o.URL), err)
		}
	}
	o.ReconnectedHandler = func() { lg.Printf("reconnected to %s", queue.Redact(o.URL)) }
	nc, err := queue.Connect(o)
	if err != nil {
		return &exitError{1, "hwnas worker: " + err.Error()}
	}
	defer nc.Close()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wc := queue.WorkerConfig{Concurrency: f.concurrency, Threads: f.threads, Name: f.conn.Name, AllowCommand: f.allow}
	if !f.quiet {
		wc.Log = func(format string, args ...any) { lg.Printf(format, args...) }
	}
	if err := queue.Work(ctx, nc, wc); err != nil {
		return &exitError{1, "hwnas worker: " + err.Error()}
	}
	return nil
}
