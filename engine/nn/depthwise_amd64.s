//go:build amd64 && !purego

#include "textflag.h"

// func vfma(dst, a, b *float32, n int)
// dst[i] += a[i]·b[i] for i < n, with fused multiply-adds (AVX2+FMA).
TEXT ·vfma(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
fma32:
	CMPQ CX, $32
	JLT fma8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DX), Y4, Y0
	VFMADD231PS 32(DX), Y5, Y1
	VFMADD231PS 64(DX), Y6, Y2
	VFMADD231PS 96(DX), Y7, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	ADDQ $128, DX
	SUBQ $32, CX
	JMP fma32
fma8:
	CMPQ CX, $8
	JLT fma1
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y4
	VFMADD231PS (DX), Y4, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP fma8
fma1:
	TESTQ CX, CX
	JZ fmadone
	VMOVSS (DI), X0
	VMOVSS (SI), X4
	VFMADD231SS (DX), X4, X0
	VMOVSS X0, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	ADDQ $4, DX
	DECQ CX
	JMP fma1
fmadone:
	VZEROUPPER
	RET

// func dwTaps(out, x, w *float32, c, nky, kxn, xrow, wrow int)
// out[ch] += Σ x[ky·xrow + j + ch]·w[ky·wrow + j + ch] over ky < nky and the
// taps j = 0, c, … below kxn, for every channel ch < c (a multiple of 8):
// one output position of a depthwise convolution, its sums kept in
// registers across the taps (32 channels at a time, then 8), added tap by
// tap in the order vfma would add them.
TEXT ·dwTaps(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ c+24(FP), R8
	MOVQ xrow+48(FP), R11
	SHLQ $2, R11
	MOVQ wrow+56(FP), R12
	SHLQ $2, R12
	XORQ AX, AX
tap32:
	MOVQ R8, R10
	SHLQ $2, R10
	SUBQ AX, R10
	CMPQ R10, $128
	JLT tap8
	VMOVUPS (DI)(AX*1), Y0
	VMOVUPS 32(DI)(AX*1), Y1
	VMOVUPS 64(DI)(AX*1), Y2
	VMOVUPS 96(DI)(AX*1), Y3
	LEAQ (SI)(AX*1), R13
	LEAQ (DX)(AX*1), BX
	MOVQ nky+32(FP), CX
ky32:
	XORQ R9, R9
kx32:
	VMOVUPS (R13)(R9*4), Y4
	VMOVUPS 32(R13)(R9*4), Y5
	VMOVUPS 64(R13)(R9*4), Y6
	VMOVUPS 96(R13)(R9*4), Y7
	VFMADD231PS (BX)(R9*4), Y4, Y0
	VFMADD231PS 32(BX)(R9*4), Y5, Y1
	VFMADD231PS 64(BX)(R9*4), Y6, Y2
	VFMADD231PS 96(BX)(R9*4), Y7, Y3
	ADDQ R8, R9
	CMPQ R9, kxn+40(FP)
	JLT kx32
	ADDQ R11, R13
	ADDQ R12, BX
	DECQ CX
	JNZ ky32
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	ADDQ $128, AX
	JMP tap32
tap8:
	CMPQ R10, $32
	JLT tapdone
	VMOVUPS (DI)(AX*1), Y0
	LEAQ (SI)(AX*1), R13
	LEAQ (DX)(AX*1), BX
	MOVQ nky+32(FP), CX
ky8:
	XORQ R9, R9
kx8:
	VMOVUPS (R13)(R9*4), Y4
	VFMADD231PS (BX)(R9*4), Y4, Y0
	ADDQ R8, R9
	CMPQ R9, kxn+40(FP)
	JLT kx8
	ADDQ R11, R13
	ADDQ R12, BX
	DECQ CX
	JNZ ky8
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $32, R10
	JMP tap8
tapdone:
	VZEROUPPER
	RET

// func dwTapGrad(acc, x, dy *float32, c, rows, dyn, xrow, xstep, dyrow int)
// acc[ch] += Σ x[r·xrow + i·xstep + ch]·dy[r·dyrow + i·c + ch] over the rows
// r < rows and the positions i·c < dyn, for every channel ch < c (a
// multiple of 8): one tap's weight gradient of a depthwise convolution over
// an image, its sums kept in registers (32 channels at a time, then 8) and
// added position by position in the order vfma would add them.
TEXT ·dwTapGrad(SB), NOSPLIT, $0-72
	MOVQ acc+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ c+24(FP), R8
	MOVQ xrow+48(FP), R11
	SHLQ $2, R11
	MOVQ dyrow+64(FP), R12
	SHLQ $2, R12
	XORQ AX, AX
tg32:
	MOVQ R8, R10
	SHLQ $2, R10
	SUBQ AX, R10
	CMPQ R10, $128
	JLT tg8
	VMOVUPS (DI)(AX*1), Y0
	VMOVUPS 32(DI)(AX*1), Y1
	VMOVUPS 64(DI)(AX*1), Y2
	VMOVUPS 96(DI)(AX*1), Y3
	LEAQ (SI)(AX*1), R13
	LEAQ (DX)(AX*1), BX
	MOVQ rows+32(FP), CX
tgr32:
	XORQ R9, R9
	XORQ R10, R10
tgc32:
	VMOVUPS (R13)(R9*4), Y4
	VMOVUPS 32(R13)(R9*4), Y5
	VMOVUPS 64(R13)(R9*4), Y6
	VMOVUPS 96(R13)(R9*4), Y7
	VFMADD231PS (BX)(R10*4), Y4, Y0
	VFMADD231PS 32(BX)(R10*4), Y5, Y1
	VFMADD231PS 64(BX)(R10*4), Y6, Y2
	VFMADD231PS 96(BX)(R10*4), Y7, Y3
	ADDQ xstep+56(FP), R9
	ADDQ R8, R10
	CMPQ R10, dyn+40(FP)
	JLT tgc32
	ADDQ R11, R13
	ADDQ R12, BX
	DECQ CX
	JNZ tgr32
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	ADDQ $128, AX
	JMP tg32
tg8:
	CMPQ R10, $32
	JLT tgdone
	VMOVUPS (DI)(AX*1), Y0
	LEAQ (SI)(AX*1), R13
	LEAQ (DX)(AX*1), BX
	MOVQ rows+32(FP), CX
tgr8:
	XORQ R9, R9
	XORQ R10, R10
tgc8:
	VMOVUPS (R13)(R9*4), Y4
	VFMADD231PS (BX)(R10*4), Y4, Y0
	ADDQ xstep+56(FP), R9
	ADDQ R8, R10
	CMPQ R10, dyn+40(FP)
	JLT tgc8
	ADDQ R11, R13
	ADDQ R12, BX
	DECQ CX
	JNZ tgr8
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	MOVQ R8, R10
	SHLQ $2, R10
	SUBQ AX, R10
	JMP tg8
tgdone:
	VZEROUPPER
	RET
