package nn

// A float32 matrix product C += A·B over packed panels, the way BLIS and
// GotoBLAS block it (Goto and van de Geijn, "Anatomy of high-performance
// matrix multiplication", ACM TOMS 2008): B is packed once into KC×NR
// micro-panels, A into MR×KC micro-panels, and a register-blocked MR×NR
// micro-kernel does the arithmetic.

const (
	mr = 6   // rows of the micro-kernel
	nr = 16  // columns of the micro-kernel
	kc = 256 // depth of a packed block: an nr panel of B is 16 KiB, in L1
	mc = 96  // rows of A packed at a time: 96 KiB, in L2
)

// view is a strided matrix: element (i, j) is d[i*rs + j*cs]. Transposes are
// views with the strides swapped.
type view struct {
	d      []float32
	rs, cs int
}

func (v view) t() view { return view{v.d, v.cs, v.rs} }

// packedB is a k×n matrix packed for gemm.
type packedB struct {
	k, n, panels int
	d            []float32
}

func packedBSize(k, n int) int { return k * ((n + nr - 1) / nr) * nr }

// packB packs the k×n matrix b into dst (at least packedBSize(k, n) long).
// Layout: for each kc block, for each nr panel, kc rows of nr values, with the
// columns past n zero.
func packB(dst []float32, k, n int, b view) packedB {
	panels := (n + nr - 1) / nr
	p := packedB{k: k, n: n, panels: panels, d: dst[:k*panels*nr]}
	off := 0
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		for jp := range panels {
			j0 := jp * nr
			jn := min(nr, n-j0)
			if b.cs == 1 && jn == nr {
				packRows(dst[off:off+kl*nr], b.d[k0*b.rs+j0:], kl, b.rs)
				off += kl * nr
				continue
			}
			for p := range kl {
				row := p2(dst, off+p*nr)
				src := (k0+p)*b.rs + j0*b.cs
				if b.cs == 1 {
					copy(row[:jn], b.d[src:src+jn])
				} else {
					for j := range jn {
						row[j] = b.d[src+j*b.cs]
					}
				}
				clear(row[jn:])
			}
			off += kl * nr
		}
	}
	return p
}

// addToGo is addTo in Go.
func addToGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

// packRowsGo is packRows in Go.
func packRowsGo(dst, src []float32, rows, stride int) {
	for p := range rows {
		copy(dst[p*nr:p*nr+nr], src[p*stride:p*stride+nr])
	}
}

func p2(d []float32, off int) []float32 { return d[off : off+nr : off+nr] }

// gemmScratch is the per-worker buffer gemm packs A (and gemmRowB edge
// panels of B) into.
const gemmScratch = mc*kc + mr*nr + kc*nr

// gemmRowB is gemm for a k×n row-major B (b.cs == 1) that is used once, as
// the patches are in a weight gradient: full nr-column panels of B are read
// in place instead of being packed, which for a large B costs as much as the
// arithmetic.
// Without that kernel it packs B into bpack (packedBSize(k, n) values).
func gemmRowB(m, n, k int, a view, b view, c []float32, ldc int, acc bool, scratch, bpack []float32) {
	if !useAsm || b.cs != 1 || k == 0 || m == 0 || n == 0 {
		pb := packB(bpack, k, n, b)
		gemm(m, a, &pb, c, ldc, acc, scratch)
		return
	}
	apack := scratch[:mc*kc]
	tile := scratch[mc*kc : mc*kc+mr*nr]
	edge := scratch[mc*kc+mr*nr : mc*kc+mr*nr+kc*nr]
	panels := (n + nr - 1) / nr
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		add := acc || k0 > 0
		for i0 := 0; i0 < m; i0 += mc {
			ml := min(mc, m-i0)
			// A transposed (the gradient dYᵀ): each step's six values of a
			// tile are contiguous and the kernel reads them in place; only
			// the last rows, fewer than a tile, are packed.
			strided, full := a.rs == 1, ml/mr
			switch {
			case !strided:
				packA(apack, a, i0, ml, k0, kl)
			case ml > full*mr:
				packA(apack[:kl*mr], a, i0+full*mr, ml-full*mr, k0, kl)
			}
			for jp := range panels {
				j0 := jp * nr
				jn := min(nr, n-j0)
				bp, ldb := b.d[k0*b.rs+j0:], b.rs
				if jn < nr { // the last, narrow panel: pack it, zero-padded
					packEdge(edge, b, k0, kl, j0, jn)
					bp, ldb = edge, nr
				}
				rowBTiles(kl, a, i0, ml, k0, strided, apack, bp, ldb, c[j0:], ldc, jn, add, tile)
			}
		}
	}
}

// rowBTiles is gemmRowB's block of rows [i0, i0+ml) against the panel bp
// of B (jn ≤ nr columns, ldb apart, into c from its first column): full
// tiles in one kernel call, column edges and the last rows through the tile.
func rowBTiles(kl int, a view, i0, ml, k0 int, strided bool, apack, bp []float32, ldb int, c []float32, ldc, jn int, add bool, tile []float32) {
	full := ml / mr
	if jn == nr && full > 0 {
		rowBKernel(kl, a, i0, k0, strided, apack, 0, bp, ldb, c[i0*ldc:], ldc, add, full)
	} else {
		for ip := range full {
			rowBKernel(kl, a, i0, k0, strided, apack, ip, bp, ldb, tile, nr, false, 1)
			untile(c[(i0+ip*mr)*ldc:], ldc, tile, mr, jn, add)
		}
	}
	if ml > full*mr {
		off := full * kl * mr
		if strided {
			off = 0 // only these rows were packed
		}
		kernelB(kl, apack[off:off+kl*mr], bp, ldb, tile, nr, false, 1)
		untile(c[(i0+full*mr)*ldc:], ldc, tile, ml-full*mr, jn, add)
	}
}

// rowBKernel runs panels full tiles from the ip-th of the block at i0,
// reading A in place when strided and from apack otherwise.
func rowBKernel(kl int, a view, i0, k0 int, strided bool, apack []float32, ip int, bp []float32, ldb int, c []float32, ldc int, acc bool, panels int) {
	if strided {
		kernelBs(kl, a.d[i0+ip*mr+k0*a.cs:], a.cs, bp, ldb, c, ldc, acc, panels)
		return
	}
	kernelB(kl, apack[ip*kl*mr:], bp, ldb, c, ldc, acc, panels)
}

// gemm computes C = A·B (or C += A·B when acc) for an m×k view A and packed
// B, with C row-major with leading dimension ldc. scratch holds gemmScratch
// values.
func gemm(m int, a view, b *packedB, c []float32, ldc int, acc bool, scratch []float32) {
	n, k := b.n, b.k
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	apack := scratch[:mc*kc]
	tile := scratch[mc*kc : mc*kc+mr*nr]
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		add := acc || k0 > 0 // the first block of a product that is not accumulated stores
		bblock := b.d[k0*b.panels*nr:]
		for i0 := 0; i0 < m; i0 += mc {
			ml := min(mc, m-i0)
			// Rows that are contiguous in k go to the kernel unpacked: packing
			// them costs as much as the arithmetic when n is small. Only the
			// last rows, fewer than a tile, are packed, once for every panel.
			direct := a.cs == 1 && useAsm
			full := ml / mr
			switch {
			case !direct:
				packA(apack, a, i0, ml, k0, kl)
			case ml > full*mr:
				packA(apack[:kl*mr], a, i0+full*mr, ml-full*mr, k0, kl)
			}
			for jp := range b.panels {
				bp := bblock[jp*kl*nr : (jp+1)*kl*nr]
				j0 := jp * nr
				jn := min(nr, n-j0)
				if direct {
					gemmDirect(kl, a, i0, ml, k0, bp, c[j0:], ldc, jn, add, apack, tile)
					continue
				}
				for ip := range (ml + mr - 1) / mr {
					r0 := i0 + ip*mr
					rn := min(mr, m-r0)
					if rn == mr && jn == nr {
						kernel(kl, apack[ip*kl*mr:(ip+1)*kl*mr], bp, c[r0*ldc+j0:], ldc, add)
						continue
					}
					kernel(kl, apack[ip*kl*mr:(ip+1)*kl*mr], bp, tile, nr, false)
					untile(c[r0*ldc+j0:], ldc, tile, rn, jn, add)
				}
			}
		}
	}
}

// gemmDirect is gemm's block of rows [i0, i0+ml) of an unpacked A against
// the packed panel bp of B (jn ≤ nr columns, into c from its first column):
// full tiles in one kernel call, column edges through the tile, and the
// last rows, fewer than a tile, from apack where gemm packed them.
func gemmDirect(kl int, a view, i0, ml, k0 int, bp, c []float32, ldc, jn int, add bool, apack, tile []float32) {
	full := ml / mr
	ip := 0
	if jn == nr && full > 0 {
		kernelDirect(kl, a.d[i0*a.rs+k0:], a.rs, bp, c[i0*ldc:], ldc, add, full)
		ip = full
	}
	for ; ip < full; ip++ { // a column edge
		r0 := i0 + ip*mr
		if jn > nr/2 || !kernelDirect8(kl, a.d[r0*a.rs+k0:], a.rs, bp, tile, nr) {
			kernelDirect(kl, a.d[r0*a.rs+k0:], a.rs, bp, tile, nr, false, 1)
		}
		untile(c[r0*ldc:], ldc, tile, mr, jn, add)
	}
	if ml > full*mr {
		kernel(kl, apack[:kl*mr], bp, tile, nr, false)
		untile(c[(i0+full*mr)*ldc:], ldc, tile, ml-full*mr, jn, add)
	}
}

// untile stores (or adds, when add) the first rn rows and jn columns of an
// mr×nr tile into c, whose rows are ldc apart.
func untile(c []float32, ldc int, tile []float32, rn, jn int, add bool) {
	for r := range rn {
		dst := c[r*ldc : r*ldc+jn]
		src := tile[r*nr : r*nr+jn]
		if add {
			for j, v := range src {
				dst[j] += v
			}
		} else {
			copy(dst, src)
		}
	}
}

// packEdge packs rows [k0, k0+kl) and the jn < nr columns from j0 of the
// row-major b into an nr-wide panel, zero-padded.
func packEdge(dst []float32, b view, k0, kl, j0, jn int) {
	for p := range kl {
		row := dst[p*nr : p*nr+nr]
		copy(row, b.d[(k0+p)*b.rs+j0:(k0+p)*b.rs+j0+jn])
		clear(row[jn:])
	}
}

// packA packs rows [i0, i0+ml) and columns [k0, k0+kl) of a into mr-row
// micro-panels: for each panel, kl groups of mr values, rows past ml zero.
func packA(dst []float32, a view, i0, ml, k0, kl int) {
	off := 0
	for r0 := 0; r0 < ml; r0 += mr {
		rn := min(mr, ml-r0)
		panel := dst[off : off+kl*mr]
		if rn < mr {
			clear(panel)
		}
		if a.rs == 1 && rn == mr { // transposed operand: each group of mr is contiguous
			src := (i0 + r0) + k0*a.cs
			for p := range kl {
				q := panel[p*mr : p*mr+mr : p*mr+mr]
				x := a.d[src+p*a.cs : src+p*a.cs+mr : src+p*a.cs+mr]
				q[0], q[1], q[2], q[3], q[4], q[5] = x[0], x[1], x[2], x[3], x[4], x[5]
			}
			off += kl * mr
			continue
		}
		if a.cs == 1 && rn == mr { // six rows, interleaved
			src := (i0+r0)*a.rs + k0
			a0 := a.d[src : src+kl]
			a1 := a.d[src+a.rs : src+a.rs+kl][:len(a0)]
			a2 := a.d[src+2*a.rs : src+2*a.rs+kl][:len(a0)]
			a3 := a.d[src+3*a.rs : src+3*a.rs+kl][:len(a0)]
			a4 := a.d[src+4*a.rs : src+4*a.rs+kl][:len(a0)]
			a5 := a.d[src+5*a.rs : src+5*a.rs+kl][:len(a0)]
			for p := range a0 {
				q := panel[p*mr : p*mr+mr : p*mr+mr]
				q[0], q[1], q[2], q[3], q[4], q[5] = a0[p], a1[p], a2[p], a3[p], a4[p], a5[p]
			}
			off += kl * mr
			continue
		}
		for r := range rn {
			src := (i0+r0+r)*a.rs + k0*a.cs
			if a.cs == 1 {
				row := a.d[src : src+kl]
				for p, v := range row {
					panel[p*mr+r] = v
				}
			} else {
				for p := range kl {
					panel[p*mr+r] = a.d[src+p*a.cs]
				}
			}
		}
		off += kl * mr
	}
}

// kernelGo is the portable micro-kernel: C[0:mr, 0:nr] = Ap·Bp over depth k
// (+ C when acc), with C's rows ldc apart.
func kernelGo(k int, a, b, c []float32, ldc int, add bool) {
	var sum [mr][nr]float32
	for p := range k {
		bp := b[p*nr : p*nr+nr : p*nr+nr]
		ap := a[p*mr : p*mr+mr : p*mr+mr]
		for r := range mr {
			av := ap[r]
			row := &sum[r]
			for j := range nr {
				row[j] += av * bp[j]
			}
		}
	}
	for r := range mr {
		dst := c[r*ldc : r*ldc+nr]
		for j := range nr {
			if add {
				dst[j] += sum[r][j]
			} else {
				dst[j] = sum[r][j]
			}
		}
	}
}

// addRowsGo is addRows in Go.
func addRowsGo(s, x []float32, c int) {
	for r := 0; r+c <= len(x); r += c {
		addToGo(s, x[r:r+c])
	}
}
