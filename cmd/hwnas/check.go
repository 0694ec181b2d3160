package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/engine"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Check specs: print every error with its position, or nothing when they are valid",
		Long: `check parses and checks each spec file and the files it imports. A valid spec
prints nothing and exits 0; otherwise every error is printed to stderr as
file:line:col, the source line and a caret, and check exits 1. A valid
experiment whose every trial would fail because even its space's smallest
network needs more memory to train than this machine allows gets a warning
on stderr (exit 0).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var msgs []string
			for _, path := range args {
				spec, err := loadSpec(path)
				if err != nil {
					msgs = append(msgs, err.Error())
					continue
				}
				for _, w := range memoryWarnings(spec) {
					fmt.Fprintln(cmd.ErrOrStderr(), w)
				}
			}
			if len(msgs) > 0 {
				return &exitError{code: 1, msg: strings.Join(msgs, "\n\n")}
			}
			return nil
		},
	})
}

// memoryWarnings warn of the experiments of spec whose every trial would
// fail because even the space's smallest network needs more memory to train
// than this machine allows (engine.SmallestTooLarge).
func memoryWarnings(spec *dsl.Spec) []string {
	var out []string
	for _, name := range spec.Order {
		e, err := engine.FromSpec(spec, name)
		if err != nil {
			continue
		}
		if err := engine.SmallestTooLarge(e); err != nil {
			out = append(out, fmt.Sprintf("%s: warning: experiment %s: every trial will fail: its smallest %v", spec.Experiments[name].Pos, name, err))
		}
	}
	return out
}

// loadSpec loads and checks a spec file. It never panics, whatever the
// bytes: a panic in the checker is turned into an error naming the file.
func loadSpec(path string) (s *dsl.Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%s: internal error while checking (please report it): %v", path, r)
		}
	}()
	s, err = dsl.Load(path)
	return s, specErr(path, err)
}

// specErr returns a spec's errors as the terminal shows them, each with its
// source line and caret, and names the file in any other error.
func specErr(path string, err error) error {
	var el syntax.ErrorList
	switch {
	case errors.As(err, &el):
		return printedErrors{el}
	case err != nil:
		return readErr(path, err)
	}
	return nil
}

// readErr names the file in an error reading it: dsl's refusals name it
// already ("/dev/zero is not a regular file"); the system's say
// "missing.hwnas: no such file or directory".
func readErr(path string, err error) error {
	var re *dsl.ReadError
	if errors.As(err, &re) {
		return re
	}
	return fmt.Errorf("%s: %w", syntax.DisplayName(path), unwrapRead(err))
}

// printedErrors renders its list through syntax.PrintError.
type printedErrors struct{ syntax.ErrorList }

func (e printedErrors) Error() string {
	var b strings.Builder
	syntax.PrintError(&b, e.ErrorList)
	return strings.TrimSuffix(b.String(), "\n")
}

func (e printedErrors) Unwrap() error { return e.ErrorList }

func unwrapRead(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
