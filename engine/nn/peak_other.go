//go:build !amd64 || purego

package nn

// fmaLoop runs n iterations of the Go multiply-add chains.
func fmaLoop(n int) { fmaLoopGo(n) }
