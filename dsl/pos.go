package dsl

import (
	"reflect"

	"github.com/alecthomas/participle/v2/lexer"
)

var posZero lexer.Position

type lexerPos = lexer.Position

var posType = reflect.TypeOf(lexer.Position{})

// walkPositions calls fn on every position in the syntax tree under v.
func walkPositions(v any, fn func(*lexer.Position)) {
	walk(reflect.ValueOf(v), fn)
}

func walk(v reflect.Value, fn func(*lexer.Position)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), fn)
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanAddr() {
				fn(v.Addr().Interface().(*lexer.Position))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), fn)
			}
		}
	}
}
