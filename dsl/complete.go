package dsl

func Complete(src string, offset int) []Completion { return nil }
func IsComplete(src string) (bool, string) { return true, "" }
type Completion struct{}
