package dsl

import "github.com/alecthomas/participle/v2/lexer"

var posZero lexer.Position
