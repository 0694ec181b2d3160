package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/spf13/cobra"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Check specs: print every error with its position, or nothing when they are valid",
		Long: `check parses and checks each spec file and the files it imports. A valid spec
prints nothing and exits 0; otherwise every error is printed to stderr as
file:line:col, the source line and a caret, and check exits 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var msgs []string
			for _, path := range args {
				if _, err := loadSpec(path); err != nil {
					msgs = append(msgs, errorText(err))
				}
			}
			if len(msgs) > 0 {
				return &exitError{code: 1, msg: strings.Join(msgs, "\n\n")}
			}
			return nil
		},
	})
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
	var el syntax.ErrorList
	if err != nil && !errors.As(err, &el) {
		err = fmt.Errorf("%s: %w", path, unwrapRead(err))
	}
	return s, err
}

// errorText renders an error for the terminal: a spec's errors each with its
// source line and caret (syntax.PrintError), any other error as its text.
func errorText(err error) string {
	var b strings.Builder
	syntax.PrintError(&b, err)
	return strings.TrimSuffix(b.String(), "\n")
}

func unwrapRead(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
