package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/spf13/cobra"
)

// fmtFlags are the options of `hwnas fmt`.
type fmtFlags struct{ write, diff bool }

func init() {
	var f fmtFlags
	cmd := &cobra.Command{
		Use:   "fmt [-w|-d] [FILE...]",
		Short: "Print specs in canonical layout (-w rewrites the files, -d shows the differences)",
		Long: `fmt prints each spec in canonical layout, keeping comments. With -w it rewrites
files whose layout differs; with -d it prints a line diff of what would change
and exits 1 when any file would change. Files with syntax errors are left
alone and their errors printed to stderr. With no FILE, fmt formats its
standard input to its standard output (for editors).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.write && f.diff {
				return &exitError{code: 2, msg: "hwnas fmt: -w and -d cannot be used together"}
			}
			if len(args) == 0 {
				return fmtStdin(cmd, f)
			}
			return fmtFiles(cmd.OutOrStdout(), args, f)
		},
	}
	cmd.Flags().BoolVarP(&f.write, "write", "w", false, "rewrite the files in place")
	cmd.Flags().BoolVarP(&f.diff, "diff", "d", false, "print a diff instead of the formatted text")
	rootCmd.AddCommand(cmd)
}

// fmtStdin formats standard input to standard output, or prints its diff.
func fmtStdin(cmd *cobra.Command, f fmtFlags) error {
	if f.write {
		return &exitError{code: 2, msg: "hwnas fmt: -w needs files to rewrite"}
	}
	src, err := dsl.ReadSource("standard input", cmd.InOrStdin())
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("hwnas fmt: %v", err)}
	}
	out, err := formatSource("<stdin>", string(src))
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	if f.diff {
		if out != string(src) {
			fmt.Fprint(cmd.OutOrStdout(), lineDiff("<stdin>", string(src), out))
			return &exitError{code: 1}
		}
		return nil
	}
	fmt.Fprint(cmd.OutOrStdout(), out)
	return nil
}

// fmtFiles formats each of paths: to w, in place with -w, or as a diff on
// w with -d. Files it cannot read or parse are reported together at the end.
func fmtFiles(w io.Writer, paths []string, f fmtFlags) error {
	var msgs []string
	changed := false
	for _, path := range paths {
		src, err := dsl.ReadFile(path)
		if err != nil {
			msgs = append(msgs, readErr(path, err).Error())
			continue
		}
		out, err := formatSource(path, string(src))
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		switch {
		case f.write:
			if out != string(src) {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					msgs = append(msgs, fmt.Sprintf("%s: %v", path, err))
				}
			}
		case f.diff:
			if out != string(src) {
				changed = true
				fmt.Fprint(w, lineDiff(path, string(src), out))
			}
		default:
			fmt.Fprint(w, out)
		}
	}
	if len(msgs) > 0 {
		return &exitError{code: 1, msg: strings.Join(msgs, "\n\n")}
	}
	if changed {
		return &exitError{code: 1}
	}
	return nil
}

// formatSource parses and formats one file, never panicking.
func formatSource(path, src string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("%s: internal error while formatting (please report it): %v", path, r)
		}
	}()
	f, err := syntax.Parse(path, src)
	if err != nil {
		return "", specErr(path, err)
	}
	return syntax.Format(f), nil
}

// lineDiff prints the lines that differ between a and b, as a unified-style
// diff built on the longest common subsequence of lines.
func lineDiff(path, a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(x)*len(y) > 4_000_000 {
		return fmt.Sprintf("--- %s\n+++ %s (formatted)\n(file too large to diff: %d lines)\n", path, path, len(x))
	}
	// lcs[i][j] = LCS length of x[i:], y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--- %s\n+++ %s (formatted)\n", path, path)
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]): // removals first, as diff -u
			fmt.Fprintf(&buf, "-%d: %s\n", i+1, x[i])
			i++
		default:
			fmt.Fprintf(&buf, "+%d: %s\n", j+1, y[j])
			j++
		}
	}
	return buf.String()
}
