//go:build amd64 && !purego

#include "textflag.h"

// The micro-kernels keep a 6×16 tile of C in Y0..Y11, row r in Y(2r) and
// Y(2r+1), and broadcast A into Y14/Y15 against a row of B in Y12 and Y13.
// The macros below are their shared parts; each instruction sequence is
// written once, and a kernel is its loads, its loop and these.

// ZERO_6x16 clears the accumulators Y0..Y11.
#define ZERO_6x16 \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; \
	VXORPS Y11, Y11, Y11

// FMA_ROW adds the broadcast A value at src times the B row in Y12, Y13 to
// the accumulators lo, hi, through the broadcast register t.
#define FMA_ROW(src, t, lo, hi) \
	VBROADCASTSS src, t; \
	VFMADD231PS Y12, t, lo; \
	VFMADD231PS Y13, t, hi

// FMA_6x16 loads the B row at BX into Y12, Y13 and adds to each row of the
// tile its A value, at a0 … a5, times it: one step of depth.
#define FMA_6x16(a0, a1, a2, a3, a4, a5) \
	VMOVUPS (BX), Y12; \
	VMOVUPS 32(BX), Y13; \
	FMA_ROW(a0, Y14, Y0, Y1); \
	FMA_ROW(a1, Y15, Y2, Y3); \
	FMA_ROW(a2, Y14, Y4, Y5); \
	FMA_ROW(a3, Y15, Y6, Y7); \
	FMA_ROW(a4, Y14, Y8, Y9); \
	FMA_ROW(a5, Y15, Y10, Y11)

// ADD_ROW adds lo, hi to the 16 floats of C at DX and stores the sums there.
#define ADD_ROW(lo, hi) \
	VADDPS (DX), lo, lo; \
	VMOVUPS lo, (DX); \
	VADDPS 32(DX), hi, hi; \
	VMOVUPS hi, 32(DX)

// STORE_ROW stores lo, hi into the 16 floats of C at DX.
#define STORE_ROW(lo, hi) \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 32(DX)

// ROWS_6x16 applies ROW to the six rows of the tile, moving DX down C's
// rows (SI bytes apart) between them.
#define ROWS_6x16(ROW) \
	ROW(Y0, Y1); \
	ADDQ SI, DX; \
	ROW(Y2, Y3); \
	ADDQ SI, DX; \
	ROW(Y4, Y5); \
	ADDQ SI, DX; \
	ROW(Y6, Y7); \
	ADDQ SI, DX; \
	ROW(Y8, Y9); \
	ADDQ SI, DX; \
	ROW(Y10, Y11)

// EPILOGUE_6x16 writes the tile into C at DX, adding to C when DI is not
// zero (jumping to the label store otherwise), and returns.
#define EPILOGUE_6x16(store) \
	TESTQ DI, DI; \
	JZ store; \
	ROWS_6x16(ADD_ROW); \
	VZEROUPPER; \
	RET; \
store: \
	ROWS_6x16(STORE_ROW); \
	VZEROUPPER; \
	RET

// func kern6x16(k int, a, b, c *float32, ldc int, acc int)
// C[0:6, 0:16] = A·B (+ C when acc != 0) for packed A (k groups of 6) and B (k rows of 16).
TEXT ·kern6x16(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), SI
	SHLQ $2, SI
	MOVQ acc+40(FP), DI
	ZERO_6x16
	TESTQ CX, CX
	JZ done
loop:
	FMA_6x16(0(AX), 4(AX), 8(AX), 12(AX), 16(AX), 20(AX))
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ loop
done:
	EPILOGUE_6x16(store)

// func copyRows16(dst, src *float32, rows, stride int)
// Copies rows runs of 16 floats, stride floats apart in src, to dst back to back.
TEXT ·copyRows16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	TESTQ CX, CX
	JZ copydone
copyloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, DI
	ADDQ DX, SI
	DECQ CX
	JNZ copyloop
copydone:
	VZEROUPPER
	RET

// EPILOGUE_NEXT writes the tile into C at DX, adding to C when DI is not
// zero, and goes on at next (store is a label of its own).
#define EPILOGUE_NEXT(store, next) \
	TESTQ DI, DI; \
	JZ store; \
	ROWS_6x16(ADD_ROW); \
	JMP next; \
store: \
	ROWS_6x16(STORE_ROW)

// func kern6x16u(k int, a *float32, lda int, b, c *float32, ldc int, acc int, panels int)
// kern6x16 reading A unpacked: six rows lda floats apart, k consecutive values
// each; for panels tiles down A and C, six rows at a time, against the same B.
TEXT ·kern6x16u(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), R12
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	MOVQ b+24(FP), R14
	MOVQ c+32(FP), R13
	MOVQ ldc+40(FP), SI
	SHLQ $2, SI
	MOVQ acc+48(FP), DI
	MOVQ panels+56(FP), R11
	TESTQ R11, R11
	JZ udone
upanel:
	MOVQ k+0(FP), CX
	MOVQ R12, AX
	MOVQ R14, BX
	MOVQ R13, DX
	ZERO_6x16
	TESTQ CX, CX
	JZ uepi
uloop:
	FMA_6x16((AX), (AX)(R8*1), (AX)(R8*2), (AX)(R9*1), (AX)(R8*4), (AX)(R10*1))
	ADDQ $4, AX
	ADDQ $64, BX
	DECQ CX
	JNZ uloop
uepi:
	EPILOGUE_NEXT(ustore, unext)
unext:
	LEAQ (R12)(R9*2), R12 // six rows of A down
	LEAQ (R13)(SI*4), R13 // and of C
	LEAQ (R13)(SI*2), R13
	DECQ R11
	JNZ upanel
udone:
	VZEROUPPER
	RET

// func vadd(dst, src *float32, n int)
// dst[i] += src[i] for i < n.
TEXT ·vadd(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
vadd32:
	CMPQ CX, $32
	JLT vadd8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS (DI), Y0, Y0
	VADDPS 32(DI), Y1, Y1
	VADDPS 64(DI), Y2, Y2
	VADDPS 96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP vadd32
vadd8:
	CMPQ CX, $8
	JLT vadd1
	VMOVUPS (SI), Y0
	VADDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP vadd8
vadd1:
	TESTQ CX, CX
	JZ vadddone
	VMOVSS (SI), X0
	VADDSS (DI), X0, X0
	VMOVSS X0, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP vadd1
vadddone:
	VZEROUPPER
	RET

// func kern6x8u(k int, a *float32, lda int, b, c *float32, ldc int)
// C[0:6, 0:8] = A·B[:, 0:8] for unpacked A (as kern6x16u) and B rows of 16 of which the first 8 are used.
TEXT ·kern6x8u(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	MOVQ b+24(FP), BX
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), SI
	SHLQ $2, SI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	TESTQ CX, CX
	JZ h8done
h8loop:
	VMOVUPS (BX), Y12
	VBROADCASTSS (AX), Y13
	VFMADD231PS Y12, Y13, Y0
	VBROADCASTSS (AX)(R8*1), Y14
	VFMADD231PS Y12, Y14, Y1
	VBROADCASTSS (AX)(R8*2), Y15
	VFMADD231PS Y12, Y15, Y2
	VBROADCASTSS (AX)(R9*1), Y13
	VFMADD231PS Y12, Y13, Y3
	VBROADCASTSS (AX)(R8*4), Y14
	VFMADD231PS Y12, Y14, Y4
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y12, Y15, Y5
	ADDQ $4, AX
	ADDQ $64, BX
	DECQ CX
	JNZ h8loop
h8done:
	VMOVUPS Y0, (DX)
	ADDQ SI, DX
	VMOVUPS Y1, (DX)
	ADDQ SI, DX
	VMOVUPS Y2, (DX)
	ADDQ SI, DX
	VMOVUPS Y3, (DX)
	ADDQ SI, DX
	VMOVUPS Y4, (DX)
	ADDQ SI, DX
	VMOVUPS Y5, (DX)
	VZEROUPPER
	RET

// func kern6x16b(k int, a, b *float32, ldb int, c *float32, ldc int, acc int, panels int)
// kern6x16 reading B in place, k rows of 16 values ldb floats apart; for
// panels tiles down C, six rows at a time, with A's packed panels one after
// another, against the same B.
TEXT ·kern6x16b(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), R14
	MOVQ ldb+24(FP), R8
	SHLQ $2, R8
	MOVQ c+32(FP), R13
	MOVQ ldc+40(FP), SI
	SHLQ $2, SI
	MOVQ acc+48(FP), DI
	MOVQ panels+56(FP), R11
	TESTQ R11, R11
	JZ bdone
bpanel:
	MOVQ k+0(FP), CX
	MOVQ R14, BX
	MOVQ R13, DX
	ZERO_6x16
	TESTQ CX, CX
	JZ bepi
bloop:
	FMA_6x16(0(AX), 4(AX), 8(AX), 12(AX), 16(AX), 20(AX))
	ADDQ $24, AX
	ADDQ R8, BX
	DECQ CX
	JNZ bloop
bepi:
	EPILOGUE_NEXT(bstore, bnext)
bnext:
	LEAQ (R13)(SI*4), R13 // six rows of C down; AX is at A's next panel
	LEAQ (R13)(SI*2), R13
	DECQ R11
	JNZ bpanel
bdone:
	VZEROUPPER
	RET

// func copyStrided(dst *float32, dstStride int, src *float32, srcStride, n, rows int)
// Copies rows runs of n floats, srcStride floats apart in src, to dst,
// dstStride floats apart: eight floats at a time, then one at a time.
TEXT ·copyStrided(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ n+32(FP), R10
	MOVQ rows+40(FP), DX
	TESTQ DX, DX
	JZ csdone
csrow:
	XORQ AX, AX
	MOVQ R10, CX
cs8:
	CMPQ CX, $8
	JLT cs1
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, CX
	JMP cs8
cs1:
	TESTQ CX, CX
	JZ csnext
	MOVL (SI)(AX*1), BX
	MOVL BX, (DI)(AX*1)
	ADDQ $4, AX
	DECQ CX
	JMP cs1
csnext:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ DX
	JNZ csrow
csdone:
	VZEROUPPER
	RET

// func sumRows(s, x *float32, c, rows int)
// s[ch] += x[r·c+ch] over the rows r in order, c a multiple of 8: 32
// channels at a time in four registers while there are 32, then eight.
TEXT ·sumRows(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ c+16(FP), R10
	MOVQ rows+24(FP), R11
	MOVQ R10, R12
	SHLQ $2, R12 // a row's bytes
srblk32:
	CMPQ R10, $32
	JLT srblk8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ SI, AX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ srstore32
srrow32:
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VADDPS 64(AX), Y2, Y2
	VADDPS 96(AX), Y3, Y3
	ADDQ R12, AX
	DECQ CX
	JNZ srrow32
srstore32:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, R10
	JMP srblk32
srblk8:
	TESTQ R10, R10
	JZ srdone
	VMOVUPS (DI), Y0
	MOVQ SI, AX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ srstore8
srrow8:
	VADDPS (AX), Y0, Y0
	ADDQ R12, AX
	DECQ CX
	JNZ srrow8
srstore8:
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, R10
	JMP srblk8
srdone:
	VZEROUPPER
	RET

// func kern6x16bs(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int, panels int)
// kern6x16b reading A in place too: step p's six values are contiguous,
// lda floats after step p-1's (A stored transposed); for panels tiles down
// C, the next tile's A six floats on.
TEXT ·kern6x16bs(SB), NOSPLIT, $0-72
	MOVQ a+8(FP), R12
	MOVQ lda+16(FP), R9
	SHLQ $2, R9
	MOVQ b+24(FP), R14
	MOVQ ldb+32(FP), R8
	SHLQ $2, R8
	MOVQ c+40(FP), R13
	MOVQ ldc+48(FP), SI
	SHLQ $2, SI
	MOVQ acc+56(FP), DI
	MOVQ panels+64(FP), R11
	TESTQ R11, R11
	JZ sdone
spanel:
	MOVQ k+0(FP), CX
	MOVQ R12, AX
	MOVQ R14, BX
	MOVQ R13, DX
	ZERO_6x16
	TESTQ CX, CX
	JZ sepi
sloop:
	FMA_6x16(0(AX), 4(AX), 8(AX), 12(AX), 16(AX), 20(AX))
	ADDQ R9, AX
	ADDQ R8, BX
	DECQ CX
	JNZ sloop
sepi:
	EPILOGUE_NEXT(sstore, snext)
snext:
	ADDQ $24, R12 // the next six rows of A
	LEAQ (R13)(SI*4), R13 // and of C
	LEAQ (R13)(SI*2), R13
	DECQ R11
	JNZ spanel
sdone:
	VZEROUPPER
	RET
