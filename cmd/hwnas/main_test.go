package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/spf13/pflag"
)

// runCLI runs hwnas in this process with args and returns what it printed
// (stdout and stderr) and its error. It first resets the flags of the
// sub-command, since cobra keeps their values between executions.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if sub, _, err := rootCmd.Find(args); err == nil && sub != nil {
		sub.Flags().VisitAll(func(f *pflag.Flag) {
			_ = f.Value.Set(f.DefValue)
			f.Changed = false
		})
	}
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	defer rootCmd.SetArgs(nil)
	err := rootCmd.Execute()
	return out.String(), err
}

// exitCode is the exit status main gives err.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}
