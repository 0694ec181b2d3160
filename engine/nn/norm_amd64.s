//go:build amd64 && !purego

#include "textflag.h"

// Row kernels of batch norm and the fused bias and ReLU (norm_amd64.go):
// rows of c channels, c a multiple of 8, one 8-wide AVX2 vector of channels
// at a time. Each does per channel exactly the operations of its Go form,
// in the same order and without fusing multiplies and adds, so that both
// give the same bits.

// func affineRows(y, x, scale, shift *float32, c, rows, flags int)
// y = x·scale + shift row by row (without the multiply unless flags&1), then
// max(·, 0) when flags&2; a NaN stays NaN.
TEXT ·affineRows(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ scale+16(FP), R8
	MOVQ shift+24(FP), R9
	MOVQ c+32(FP), R10
	MOVQ rows+40(FP), R11
	MOVQ flags+48(FP), R12
	VXORPS Y15, Y15, Y15
	TESTQ R11, R11
	JZ affdone
affrow:
	XORQ AX, AX
	MOVQ R10, CX
affcol:
	VMOVUPS (SI)(AX*1), Y0
	TESTQ $1, R12
	JZ affadd
	VMULPS (R8)(AX*1), Y0, Y0
affadd:
	VADDPS (R9)(AX*1), Y0, Y0
	TESTQ $2, R12
	JZ affstore
	VMAXPS Y0, Y15, Y0
affstore:
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, CX
	JNZ affcol
	LEAQ (SI)(R10*4), SI
	LEAQ (DI)(R10*4), DI
	DECQ R11
	JNZ affrow
affdone:
	VZEROUPPER
	RET

// func sumSq(s *float64, x *float32, c, rows int)
// s[ch] += x[r·c+ch] and s[c+ch] += x[r·c+ch]² over the rows r in order, in
// float64; eight channels at a time, so their sums stay in registers.
TEXT ·sumSq(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ c+16(FP), R10
	MOVQ rows+24(FP), R11
	LEAQ (DI)(R10*8), R9
	SHLQ $2, R10
	MOVQ R10, R12
sqblk:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD (R9), Y2
	VMOVUPD 32(R9), Y3
	MOVQ SI, AX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ sqstore
sqrow:
	VCVTPS2PD (AX), Y4
	VCVTPS2PD 16(AX), Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VMULPD Y4, Y4, Y4
	VMULPD Y5, Y5, Y5
	VADDPD Y4, Y2, Y2
	VADDPD Y5, Y3, Y3
	ADDQ R10, AX
	DECQ CX
	JNZ sqrow
sqstore:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, (R9)
	VMOVUPD Y3, 32(R9)
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $32, SI
	SUBQ $32, R12
	JNZ sqblk
	VZEROUPPER
	RET

// func gradSums(s *float64, grad, x, mean, invStd *float32, c, rows int)
// s[ch] += g and s[c+ch] += g·x̂ over the rows in order, in float64, where
// x̂ = (x − mean)·invStd in float32.
TEXT ·gradSums(SB), NOSPLIT, $0-56
	MOVQ s+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ mean+24(FP), R8
	MOVQ invStd+32(FP), BX
	MOVQ c+40(FP), R10
	MOVQ rows+48(FP), R11
	LEAQ (DI)(R10*8), R9
	SHLQ $2, R10
	MOVQ R10, R12
gsblk:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD (R9), Y2
	VMOVUPD 32(R9), Y3
	VMOVUPS (R8), Y6
	VMOVUPS (BX), Y7
	MOVQ SI, AX
	MOVQ DX, R13
	MOVQ R11, CX
	TESTQ CX, CX
	JZ gsstore
gsrow:
	VCVTPS2PD (AX), Y4
	VCVTPS2PD 16(AX), Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VMOVUPS (R13), Y8
	VSUBPS Y6, Y8, Y8
	VMULPS Y7, Y8, Y8
	VCVTPS2PD X8, Y9
	VEXTRACTF128 $1, Y8, X10
	VCVTPS2PD X10, Y10
	VMULPD Y9, Y4, Y4
	VMULPD Y10, Y5, Y5
	VADDPD Y4, Y2, Y2
	VADDPD Y5, Y3, Y3
	ADDQ R10, AX
	ADDQ R10, R13
	DECQ CX
	JNZ gsrow
gsstore:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, (R9)
	VMOVUPD Y3, 32(R9)
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, BX
	SUBQ $32, R12
	JNZ gsblk
	VZEROUPPER
	RET

// func bnDx(d, grad, x, k, ab, mean, invStd *float32, c, rows, add int)
// d = k·(g − a − (x − mean)·invStd·b) row by row (d += it when add), with
// ab holding a then b, c values each.
TEXT ·bnDx(SB), NOSPLIT, $0-80
	MOVQ d+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ k+24(FP), R8
	MOVQ ab+32(FP), R9
	MOVQ mean+40(FP), R11
	MOVQ invStd+48(FP), R12
	MOVQ c+56(FP), R13
	MOVQ rows+64(FP), CX
	MOVQ add+72(FP), BX
	SHLQ $2, R13
	LEAQ (R9)(R13*1), R10
	TESTQ CX, CX
	JZ dxdone
dxrow:
	XORQ AX, AX
dxcol:
	VMOVUPS (SI)(AX*1), Y0
	VSUBPS (R9)(AX*1), Y0, Y0
	VMOVUPS (DX)(AX*1), Y1
	VSUBPS (R11)(AX*1), Y1, Y1
	VMULPS (R12)(AX*1), Y1, Y1
	VMULPS (R10)(AX*1), Y1, Y1
	VSUBPS Y1, Y0, Y0
	VMULPS (R8)(AX*1), Y0, Y0
	TESTQ BX, BX
	JZ dxstore
	VADDPS (DI)(AX*1), Y0, Y0
dxstore:
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R13
	JLT dxcol
	ADDQ R13, DI
	ADDQ R13, SI
	ADDQ R13, DX
	DECQ CX
	JNZ dxrow
dxdone:
	VZEROUPPER
	RET

// func maskRows(grad, y *float32, n int)
// g[i] = 0 where y[i] is ±0, n a multiple of 8.
TEXT ·maskRows(SB), NOSPLIT, $0-24
	MOVQ grad+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JZ maskdone
maskloop:
	VCMPPS $4, (SI), Y15, Y0
	VANDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ maskloop
maskdone:
	VZEROUPPER
	RET
