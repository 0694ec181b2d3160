//go:build amd64 && !purego

#include "textflag.h"

// Max pooling over 2×2 windows with stride 2 (pool_amd64.go), one output
// row at a time, eight channels per AVX2 vector. The argmax is an int32
// index into the input image, as maxPool2 writes it.

DATA pooliota<>+0(SB)/4, $0
DATA pooliota<>+4(SB)/4, $1
DATA pooliota<>+8(SB)/4, $2
DATA pooliota<>+12(SB)/4, $3
DATA pooliota<>+16(SB)/4, $4
DATA pooliota<>+20(SB)/4, $5
DATA pooliota<>+24(SB)/4, $6
DATA pooliota<>+28(SB)/4, $7
GLOBL pooliota<>(SB), RODATA|NOPTR, $32

// POOL_SETUP loads c (floats) into CX, iwc into R9, ow into DX, p0 into R10
// from the frame at the offsets given, and sets the byte offsets of the
// window's four cells, 0, R11 = 4c, R12 = 4·iwc, R13 = 4·(iwc+c), and the
// index vectors Y12 = c, Y13 = iwc, Y14 = iwc+c, Y15 = 8 (int32 lanes). It
// uses AX.
#define POOL_SETUP(coff, iwoff, owoff, p0off) \
	MOVQ coff(FP), CX; \
	MOVQ iwoff(FP), R9; \
	MOVQ owoff(FP), DX; \
	MOVQ p0off(FP), R10; \
	MOVQ CX, R11; \
	SHLQ $2, R11; \
	MOVQ R9, R12; \
	SHLQ $2, R12; \
	LEAQ (R11)(R12*1), R13; \
	MOVQ CX, X12; \
	VPBROADCASTD X12, Y12; \
	MOVQ R9, X13; \
	VPBROADCASTD X13, Y13; \
	VPADDD Y12, Y13, Y14; \
	MOVQ $8, AX; \
	MOVQ AX, X15; \
	VPBROADCASTD X15, Y15

// func maxPool2Row(x, y *float32, arg *int32, c, iwc, ow, p0 int)
// For ox < ow and each channel: y = the maximum of the window at x + 2·ox·c
// (cells x, x+c, x+iwc, x+iwc+c), arg = the index p0 + … of the first cell
// holding it in that order (a later cell only when strictly greater). A NaN
// in the window makes y NaN. c is a multiple of 8.
TEXT ·maxPool2Row(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ arg+16(FP), R8
	POOL_SETUP(c+24, iwc+32, ow+40, p0+48)
	MOVQ R10, X4
	VPBROADCASTD X4, Y4
	VPADDD pooliota<>(SB), Y4, Y4 // Y4: the indices of the first cells
	TESTQ DX, DX
	JZ mpdone
mpcol:
	MOVQ CX, BX
mpch:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R11*1), Y1
	VMOVUPS (SI)(R12*1), Y2
	VMOVUPS (SI)(R13*1), Y3
	VMOVAPS Y0, Y5 // best
	VMOVAPS Y4, Y6 // its index
	VCMPPS $0x1e, Y5, Y1, Y7 // b > best
	VPADDD Y12, Y4, Y8
	VBLENDVPS Y7, Y8, Y6, Y6
	VMAXPS Y5, Y1, Y5
	VCMPPS $0x1e, Y5, Y2, Y7
	VPADDD Y13, Y4, Y8
	VBLENDVPS Y7, Y8, Y6, Y6
	VMAXPS Y5, Y2, Y5
	VCMPPS $0x1e, Y5, Y3, Y7
	VPADDD Y14, Y4, Y8
	VBLENDVPS Y7, Y8, Y6, Y6
	VMAXPS Y5, Y3, Y5
	VCMPPS $3, Y1, Y0, Y7 // unordered: a NaN among the four
	VCMPPS $3, Y3, Y2, Y8
	VORPS Y8, Y7, Y7
	VORPS Y7, Y5, Y5
	VMOVUPS Y5, (DI)
	VMOVDQU Y6, (R8)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	VPADDD Y15, Y4, Y4
	SUBQ $8, BX
	JNZ mpch
	ADDQ R11, SI // past the window's second column
	VPADDD Y12, Y4, Y4
	DECQ DX
	JNZ mpcol
mpdone:
	VZEROUPPER
	RET

// POOL_BACK_MASK sets Y8 to where arg (Y1) names the window cell whose
// indices are Y4 plus ivec.
#define POOL_BACK_MASK(ivec) \
	VPADDD ivec, Y4, Y8; \
	VPCMPEQD Y8, Y1, Y8

// POOL_BACK_SET writes the cell of dx at byte offset off (a register): 0 + g
// (Y0) where arg names it, 0 elsewhere, what adding to a cleared dx gives.
#define POOL_BACK_SET(off, ivec) \
	POOL_BACK_MASK(ivec); \
	VADDPS Y0, Y2, Y9; \
	VANDPS Y8, Y9, Y9; \
	VMOVUPS Y9, (DI)(off*1)

// POOL_BACK_ADD adds g (Y0) to the cell of dx at off where arg names it.
#define POOL_BACK_ADD(off, ivec) \
	POOL_BACK_MASK(ivec); \
	VMOVUPS (DI)(off*1), Y7; \
	VADDPS Y0, Y7, Y9; \
	VBLENDVPS Y8, Y9, Y7, Y7; \
	VMOVUPS Y7, (DI)(off*1)

// POOL_BACK_LOOP runs CELL over the windows of the row, with labels col
// and ch, and jumps to done. The gradient g is dy times 1, or 0 where the
// pool's output y is ±0 and Y5 is zero (Y5 all ones: never).
#define POOL_BACK_LOOP(CELL, col, ch, done) \
col: \
	MOVQ CX, BX; \
ch: \
	VMOVUPS (SI), Y0; \
	VANDPS (AX), Y10, Y7; \
	VPCMPEQD Y5, Y7, Y7; \
	VANDNPS Y11, Y7, Y7; \
	VMULPS Y7, Y0, Y0; \
	VMOVDQU (R8), Y1; \
	CELL(R10, Y3); \
	CELL(R11, Y12); \
	CELL(R12, Y13); \
	CELL(R13, Y14); \
	ADDQ $32, SI; \
	ADDQ $32, DI; \
	ADDQ $32, R8; \
	ADDQ $32, AX; \
	VPADDD Y15, Y4, Y4; \
	SUBQ $8, BX; \
	JNZ ch; \
	ADDQ R11, DI; \
	VPADDD Y12, Y4, Y4; \
	DECQ DX; \
	JNZ col; \
	JMP done

// func maxPool2BackRow(dx, dy *float32, arg *int32, y *float32, c, iwc, ow, p0, flags int)
// The gradient of maxPool2Row: for ox < ow and each channel, dy goes to the
// window cell of dx that arg names, times 1 or 0 as the pool's output y
// (the cell's value) is nonzero or zero when flags&2 (the input's ReLU; y is
// read either way). With flags&1 the four cells are written, 0 + g and 0,
// as a cleared dx added to; without it g is added to the named cell. c is a
// multiple of 8.
TEXT ·maxPool2BackRow(SB), NOSPLIT, $0-72
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ arg+16(FP), R8
	MOVQ flags+64(FP), R14
	POOL_SETUP(c+32, iwc+40, ow+48, p0+56)
	MOVQ y+24(FP), AX
	MOVQ R10, X4
	VPBROADCASTD X4, Y4
	VPADDD pooliota<>(SB), Y4, Y4
	XORQ R10, R10 // the first cell's offset
	VPXOR Y3, Y3, Y3 // and its index offset
	VXORPS Y2, Y2, Y2 // 0.0
	VPCMPEQD Y10, Y10, Y10
	VPSRLD $1, Y10, Y10 // 0x7fffffff: |y|
	MOVL $0x3f800000, BX
	MOVQ BX, X11
	VPBROADCASTD X11, Y11 // 1.0
	VPCMPEQD Y5, Y5, Y5 // |y| is never all ones: no gate
	TESTQ $2, R14
	JZ pbstart
	VPXOR Y5, Y5, Y5 // gate where |y| == 0
pbstart:
	TESTQ DX, DX
	JZ pbdone
	TESTQ $1, R14
	JZ pbacol
	POOL_BACK_LOOP(POOL_BACK_SET, pbscol, pbsch, pbdone)
	POOL_BACK_LOOP(POOL_BACK_ADD, pbacol, pbach, pbdone)
pbdone:
	VZEROUPPER
	RET
