// Package syntax owns the form of the hwnas language: its tokens, its
// grammar and syntax tree, positions in a source file, the canonical
// formatter, and the rendering of a diagnostic with its source line.
//
// Parse turns text into a File, a tree whose every node records where it
// starts (Pos) and ends (EndPos); Format prints a File in canonical layout;
// Tokens lexes text that may not parse, for completion. A problem is an
// *Error whose Error() is one line, file:line:col: error: message; an
// ErrorList holds every problem of a file, sorted; PrintError renders them
// with the source line and a caret under the problem.
//
// The grammar is LL(1), written as participle struct tags on the tree's
// types, over a hand-written linear lexer. What the names mean (checking,
// units, the Spec) is package dsl's job; syntax imports nothing of hwnas
// but internal/suggest.
package syntax
