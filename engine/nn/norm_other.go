//go:build !amd64 || purego

package nn

// Without the assembly every row kernel is its Go form (norm.go).

func affine(y, x, scale, shift []float32, relu bool) { affineGo(y, x, scale, shift, relu) }

func channelSums(s []float64, x []float32, c int) { channelSumsGo(s, x, c) }

func normGradSums(s []float64, g, x, mean, invStd []float32) { normGradSumsGo(s, g, x, mean, invStd) }

func normDx(d, g, x, k, ab, mean, invStd []float32, add bool) {
	normDxGo(d, g, x, k, ab, mean, invStd, add)
}

func maskReLU(g, y []float32) { maskReLUGo(g, y) }
