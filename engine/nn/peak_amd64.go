//go:build amd64 && !purego

package nn

//go:noescape
func fmaLoopAsm(n int)

// fmaLoop runs n iterations of 12 independent 8-wide FMAs (AVX2), or the
// Go loop without AVX2+FMA.
func fmaLoop(n int) {
	if useAsm {
		fmaLoopAsm(n)
		return
	}
	fmaLoopGo(n)
}
