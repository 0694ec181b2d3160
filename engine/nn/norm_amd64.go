//go:build amd64 && !purego

package nn

//go:noescape
func affineRows(y, x, scale, shift *float32, c, rows, flags int)

//go:noescape
func sumSq(s *float64, x *float32, c, rows int)

//go:noescape
func gradSums(s *float64, grad, x, mean, invStd *float32, c, rows int)

//go:noescape
func bnDx(d, grad, x, k, ab, mean, invStd *float32, c, rows, add int)

//go:noescape
func maskRows(grad, y *float32, n int)

// vectorRows reports whether rows of c channels over n values suit the
// row kernels: AVX2, and c a whole number of 8-wide vectors.
func vectorRows(c, n int) bool { return useAsm && c > 0 && c%8 == 0 && n >= c && n%c == 0 }

// affine sets y = x·scale + shift row by row (x + shift when scale is nil),
// rows of len(shift) channels, and applies ReLU when relu is set.
func affine(y, x, scale, shift []float32, relu bool) {
	c := len(shift)
	if !vectorRows(c, len(x)) || len(y) < len(x) || (scale != nil && len(scale) < c) {
		affineGo(y, x, scale, shift, relu)
		return
	}
	flags, sp := 0, &shift[0]
	if scale != nil {
		flags, sp = 1, &scale[0]
	}
	if relu {
		flags |= 2
	}
	affineRows(&y[0], &x[0], sp, &shift[0], c, len(x)/c, flags)
}

// channelSums adds to s[ch] and s[c+ch] the sum and the sum of squares of
// channel ch over the rows of x, in float64 (len(s) = 2c).
func channelSums(s []float64, x []float32, c int) {
	if !vectorRows(c, len(x)) || len(s) < 2*c {
		channelSumsGo(s, x, c)
		return
	}
	sumSq(&s[0], &x[0], c, len(x)/c)
}

// normGradSums adds to s[ch] and s[c+ch] the sums of g and of g·x̂ over the
// rows, x̂ = (x − mean)·invStd, in float64.
func normGradSums(s []float64, g, x, mean, invStd []float32) {
	c := len(mean)
	if !vectorRows(c, len(g)) || len(x) < len(g) || len(s) < 2*c || len(invStd) < c {
		normGradSumsGo(s, g, x, mean, invStd)
		return
	}
	gradSums(&s[0], &g[0], &x[0], &mean[0], &invStd[0], c, len(g)/c)
}

// normDx sets (or adds to, when add) d = k·(g − a − (x − mean)·invStd·b)
// row by row, c = len(k) channels, with ab holding a then b.
func normDx(d, g, x, k, ab, mean, invStd []float32, add bool) {
	c := len(k)
	if !vectorRows(c, len(g)) || len(d) < len(g) || len(x) < len(g) || len(ab) < 2*c || len(mean) < c || len(invStd) < c {
		normDxGo(d, g, x, k, ab, mean, invStd, add)
		return
	}
	f := 0
	if add {
		f = 1
	}
	bnDx(&d[0], &g[0], &x[0], &k[0], &ab[0], &mean[0], &invStd[0], c, len(g)/c, f)
}

// maskReLU zeroes the gradient g where the ReLU output y was not positive.
func maskReLU(g, y []float32) {
	n := len(g) &^ 7
	if !useAsm || n == 0 || len(y) < len(g) {
		maskReLUGo(g, y)
		return
	}
	maskRows(&g[0], &y[0], n)
	maskReLUGo(g[n:], y[n:len(g)])
}
