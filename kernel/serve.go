package kernel

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/hwnas/hwnas/kernel/transport"
)

// Serve runs the kernel for a connection file until Jupyter shuts it down.
// SIGINT interrupts the running cell (interrupt_mode "signal" clients send
// it); SIGTERM stops the kernel.
func Serve(connectionFile string, o SessionOptions, lg *log.Logger) error {
	conn, err := transport.LoadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	sess, err := NewSession(o)
	if err != nil {
		return fmt.Errorf("start the interpreter: %w", err)
	}
	lim, err := limitsFromEnv()
	if err != nil {
		return err
	}
	srv, err := transport.ListenLimits(conn, lg, lim)
	if err != nil {
		return err
	}
	k := core.New(srv, sess, lg)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	sigint := make(chan os.Signal, 1)
	signal.Notify(sigint, os.Interrupt)
	defer signal.Stop(sigint)
	go func() {
		for range sigint {
			k.Interrupt()
		}
	}()
	go watchParent(ctx, stop)
	if _, err := k.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// watchParent stops the kernel when the process that started it (named by
// JPY_PARENT_PID, which jupyter_client sets) has gone, so that a crashed
// client leaves no orphaned kernel behind.
func watchParent(ctx context.Context, stop func()) {
	pid, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID"))
	if err != nil || pid <= 1 || os.Getppid() != pid {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != pid {
				stop()
				return
			}
		}
	}
}

// limitsFromEnv returns the transport limits, with HWNAS_KERNEL_MAX_MESSAGE
// (bytes) capping a message from any peer when set.
func limitsFromEnv() (transport.Limits, error) {
	lim := transport.DefaultLimits
	if v := os.Getenv("HWNAS_KERNEL_MAX_MESSAGE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return lim, fmt.Errorf("HWNAS_KERNEL_MAX_MESSAGE=%q: want a positive number of bytes", v)
		}
		lim.MaxMessage = n
	}
	return lim, nil
}
