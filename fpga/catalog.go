package fpga

// Resource counts are full-device datasheet figures (BRAM18 = 2 × BRAM36).
// Bandwidth is the theoretical peak of the memory the accelerator uses
// (bus width × transfer rate where marked "≈"). Clocks are typical
// accelerator clocks, power coefficients are approximate board-level figures,
// calibrated where a published measurement exists (docs/fpga-model.md).

// Default caps: every DSP (FNAS PARA.py and HotNAS budget all of them), 90 %
// of block RAM and 80 % of LUTs for buffers/DMA/control headroom (approx.;
// FINN platforms.py plans with 80 % BRAM and 70 % LUT).
var boardCaps = Caps{DSP: 1, BRAM: 0.9, URAM: 0.9, LUT: 0.8}

// 7-series (28 nm) and UltraScale(+) (20/16 nm) dynamic power per resource at
// 100 MHz and full activity: approx., Xilinx Power Estimator (XPE) defaults,
// scaled so Zhang FPGA'15 (VC707, 18.61 W) and Qiu FPGA'16 (ZC706, 9.63 W)
// are reproduced (docs/fpga-model.md).
const (
	s7DSPmW, s7BRAMmW, s7LUTmWk = 1.5, 1.2, 8.0
	usDSPmW, usBRAMmW, usLUTmWk = 1.0, 0.9, 5.0
	inDSPmW, inBRAMmW, inLUTmWk = 2.0, 1.2, 8.0 // Intel 20/14 nm, approx. (Intel EPE)
)

// Off-chip access energy per byte, approx. (Horowitz ISSCC'14 ≈ 20 pJ/bit for
// DDR3; O'Connor et al. MICRO'17 ≈ 15 pJ/bit DDR4, ≈ 4 pJ/bit HBM2).
const (
	ddr3pJB, ddr4pJB, lpddr4pJB, hbmpJB = 160.0, 120.0, 40.0, 32.0
)

var catalog = []Platform{
	{
		Name: "PYNQ-Z1", Aliases: []string{"pynq", "PYNQ-Z2", "z7020", "XC7Z020"}, Device: "XC7Z020", Family: Series7,
		DSP: 220, BRAM18: 280, LUT: 53200, FF: 106400, // Zynq-7000 product table (DS190), XC7Z020: 220 DSP, 140 BRAM36, 53,200 LUT, 106,400 FF
		BRAMBits:     18432, // RAMB18 = 18 Kib (UG473)
		BandwidthGBs: 2.1,   // ≈ 16-bit DDR3-1050 (PYNQ-Z1 reference manual)
		PortBits:     256,   // 4 AXI HP ports × 64 bits (UG585)
		ClockMHz:     100,   // FNAS DAC'19 latency spec assumes 100 MHz
		StaticW:      1.5,   // approx.: board + PS idle
		DSPmW:        s7DSPmW, BRAMmW: s7BRAMmW, LUTmWk: s7LUTmWk, DRAMpJB: ddr3pJB, Caps: boardCaps,
	},
	{
		Name: "Ultra96-V2", Aliases: []string{"ultra96", "XCZU3EG"}, Device: "XCZU3EG", Family: UltraScale,
		DSP: 360, BRAM18: 432, LUT: 70560, FF: 141120, // Zynq UltraScale+ product table (DS891), ZU3EG: 360 DSP, 216 BRAM36, 70,560 LUT
		BRAMBits:     18432,
		BandwidthGBs: 8.5, // ≈ 32-bit LPDDR4-2133 (Ultra96-V2 hardware user guide)
		PortBits:     512, // 4 AXI HP ports × 128 bits (UG1085)
		ClockMHz:     200, // approx. typical accelerator clock
		StaticW:      3,   // approx.
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: lpddr4pJB, Caps: boardCaps,
	},
	{
		Name: "ZC706", Aliases: []string{"XC7Z045", "z7045"}, Device: "XC7Z045", Family: Series7,
		DSP: 900, BRAM18: 1090, LUT: 218600, FF: 437200, // Zynq-7000 product table (DS190), XC7Z045: 900 DSP, 545 BRAM36
		BRAMBits:     18432,
		BandwidthGBs: 4.3, // ≈ PS 32-bit DDR3-1066, reached through the HP ports (UG954)
		PortBits:     256, // 4 AXI HP ports × 64 bits (UG585)
		ClockMHz:     150, // Qiu FPGA'16 ran at 150 MHz
		StaticW:      5.6, // approx., calibrated on Qiu FPGA'16 (9.63 W measured)
		DSPmW:        s7DSPmW, BRAMmW: s7BRAMmW, LUTmWk: s7LUTmWk, DRAMpJB: ddr3pJB, Caps: boardCaps,
	},
	{
		Name: "ZCU102", Aliases: []string{"XCZU9EG", "zu9eg"}, Device: "XCZU9EG", Family: UltraScale,
		DSP: 2520, BRAM18: 1824, LUT: 274080, FF: 548160, // Zynq UltraScale+ product table (DS891), ZU9EG: 2,520 DSP, 912 BRAM36
		BRAMBits:     18432,
		BandwidthGBs: 19.2, // ≈ PS 64-bit DDR4-2400 (UG1182)
		PortBits:     512,  // 4 HP ports × 128 bits (HotNAS PM_Config.py)
		ClockMHz:     200,  // approx. typical accelerator clock
		StaticW:      7,    // approx.
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
	{
		Name: "ZCU104", Aliases: []string{"XCZU7EV", "zu7ev"}, Device: "XCZU7EV", Family: UltraScale,
		DSP: 1728, BRAM18: 624, URAM: 96, LUT: 230400, FF: 460800, // DS891, ZU7EV: 1,728 DSP, 312 BRAM36, 96 URAM
		BRAMBits:     18432,
		BandwidthGBs: 19.2, // ≈ PS 64-bit DDR4-2400 (UG1267)
		PortBits:     512,
		ClockMHz:     200,
		StaticW:      5, // approx.
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
	{
		Name: "VC707", Aliases: []string{"XC7VX485T", "vx485t"}, Device: "XC7VX485T", Family: Series7,
		DSP: 2800, BRAM18: 2060, LUT: 303600, FF: 607200, // Virtex-7 product table (DS180), VX485T: 2,800 DSP, 1,030 BRAM36
		BRAMBits:     18432,
		BandwidthGBs: 12.8, // ≈ 64-bit DDR3-1600 SODIMM (UG885)
		PortBits:     512,  // MIG AXI 512-bit user interface
		ClockMHz:     100,  // Zhang FPGA'15 ran at 100 MHz
		StaticW:      12.5, // approx., calibrated on Zhang FPGA'15 (18.61 W measured)
		DSPmW:        s7DSPmW, BRAMmW: s7BRAMmW, LUTmWk: s7LUTmWk, DRAMpJB: ddr3pJB, Caps: boardCaps,
	},
	{
		Name: "VCU118", Aliases: []string{"XCVU9P", "vu9p"}, Device: "XCVU9P", Family: UltraScale,
		DSP: 6840, BRAM18: 4320, URAM: 960, LUT: 1182240, FF: 2364480, // Virtex UltraScale+ product table (DS923), VU9P
		BRAMBits:     18432,
		BandwidthGBs: 38.4, // ≈ 2 × 64-bit DDR4-2400 (UG1224)
		PortBits:     1024, // 2 MIG AXI ports × 512 bits
		ClockMHz:     200,
		StaticW:      15, // approx.
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
	{
		Name: "Alveo-U50", Aliases: []string{"u50", "XCU50"}, Device: "XCU50", Family: UltraScale,
		DSP: 5952, BRAM18: 2688, URAM: 640, LUT: 872000, FF: 1743000, // Alveo U50 data sheet (DS965)
		BRAMBits:     18432,
		BandwidthGBs: 316,  // HBM2 (DS965; some documents give 201)
		PortBits:     8192, // 32 HBM pseudo-channels × 256-bit AXI
		ClockMHz:     250,  // approx.
		StaticW:      20,   // approx.; card maximum 75 W (DS965)
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: hbmpJB,
		Caps: Caps{DSP: 5352.0 / 5952, BRAM: 2256.0 / 2688, URAM: 608.0 / 640, LUT: 742560.0 / 872000}, // FINN platforms.py shell-excluded budget
	},
	{
		Name: "Alveo-U200", Aliases: []string{"u200"}, Device: "XCU200", Family: UltraScale,
		DSP: 6840, BRAM18: 4320, URAM: 960, LUT: 1182000, FF: 2364000, // Alveo U200 data sheet (DS962)
		BRAMBits:     18432,
		BandwidthGBs: 77,   // 4 × DDR4-2400 (DS962)
		PortBits:     2048, // 4 DDR banks × 512-bit AXI
		ClockMHz:     250,
		StaticW:      25, // approx.; card maximum 225 W (DS962)
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB,
		Caps: Caps{DSP: 5856.0 / 6840, BRAM: 3696.0 / 4320, URAM: 800.0 / 960, LUT: 971520.0 / 1182000}, // FINN platforms.py
	},
	{
		Name: "Alveo-U250", Aliases: []string{"u250"}, Device: "XCU250", Family: UltraScale,
		DSP: 12288, BRAM18: 5376, URAM: 1280, LUT: 1728000, FF: 3456000, // Alveo U250 data sheet (DS962)
		BRAMBits:     18432,
		BandwidthGBs: 77, // 4 × DDR4-2400 (DS962)
		PortBits:     2048,
		ClockMHz:     250,
		StaticW:      30, // approx.; card maximum 225 W
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB,
		Caps: Caps{DSP: 11520.0 / 12288, BRAM: 4608.0 / 5376, URAM: 0.9, LUT: 1500000.0 / 1728000}, // FINN platforms.py
	},
	{
		Name: "Alveo-U280", Aliases: []string{"u280"}, Device: "XCU280", Family: UltraScale,
		DSP: 9024, BRAM18: 4032, URAM: 960, LUT: 1304000, FF: 2607000, // Alveo U280 data sheet (DS963)
		BRAMBits:     18432,
		BandwidthGBs: 460, // HBM2 (DS963); plus 38 GB/s DDR4, not modelled
		PortBits:     8192,
		ClockMHz:     250,
		StaticW:      30, // approx.; card maximum 225 W
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: hbmpJB,
		Caps: Caps{DSP: 8496.0 / 9024, BRAM: 3504.0 / 4032, URAM: 0.9, LUT: 1163520.0 / 1304000}, // FINN platforms.py
	},
	{
		Name: "Arty-A7-50T", Aliases: []string{"arty", "XC7A50T"}, Device: "XC7A50T", Family: Series7,
		DSP: 120, BRAM18: 150, LUT: 32600, FF: 65200, // Artix-7 product table (DS180), XC7A50T: 120 DSP, 75 BRAM36
		BRAMBits:     18432,
		BandwidthGBs: 2.7, // ≈ 16-bit DDR3L-1333 (Arty A7 reference manual)
		PortBits:     128, // MIG AXI 128-bit user interface
		ClockMHz:     100,
		StaticW:      0.5, // approx.
		DSPmW:        s7DSPmW, BRAMmW: s7BRAMmW, LUTmWk: s7LUTmWk, DRAMpJB: ddr3pJB, Caps: boardCaps,
	},
	{
		Name: "KCU1500", Aliases: []string{"ku115", "XCKU115"}, Device: "XCKU115", Family: UltraScale,
		DSP: 5520, BRAM18: 4320, LUT: 663360, FF: 1326720, // Kintex UltraScale product table (DS890), KU115: 5,520 DSP, 2,160 BRAM36
		BRAMBits:     18432,
		BandwidthGBs: 76.8, // ≈ 4 × 64-bit DDR4-2400 (KCU1500 user guide UG1260)
		PortBits:     2048,
		ClockMHz:     200,
		StaticW:      15, // approx.
		DSPmW:        usDSPmW, BRAMmW: usBRAMmW, LUTmWk: usLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
	{
		Name: "Arria10-GX1150", Aliases: []string{"arria10", "a10", "10AX115"}, Device: "10AX115", Family: Intel,
		DSP: 1518, BRAM18: 2713, LUT: 427200, FF: 1708800, // Intel Arria 10 product table: 1,518 DSP blocks, 2,713 M20K, 427,200 ALM, 1,708,800 registers
		BRAMBits:     20480, // M20K = 20 Kb
		BandwidthGBs: 19.2,  // ≈ 64-bit DDR4-2400 (Arria 10 GX FPGA development kit)
		PortBits:     512,   // EMIF Avalon-MM 512-bit interface
		ClockMHz:     150,   // approx.; Ma et al. FPGA'17 ran at 150 MHz
		StaticW:      15,    // approx.
		DSPmW:        inDSPmW, BRAMmW: inBRAMmW, LUTmWk: inLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
	{
		Name: "Stratix10-GX2800", Aliases: []string{"stratix10", "s10", "1SG280"}, Device: "1SG280", Family: Intel,
		DSP: 5760, BRAM18: 11721, LUT: 933120, FF: 3732480, // Intel Stratix 10 GX product table: 5,760 DSP, 11,721 M20K, 933,120 ALM
		BRAMBits:     20480,
		BandwidthGBs: 25.6, // approx. one 64-bit DDR4-3200 interface (dev-kit dependent)
		PortBits:     1024,
		ClockMHz:     300, // approx. HyperFlex designs
		StaticW:      30,  // approx.
		DSPmW:        inDSPmW, BRAMmW: inBRAMmW, LUTmWk: inLUTmWk, DRAMpJB: ddr4pJB, Caps: boardCaps,
	},
}
