package syntax

// The syntax tree. Each struct is one production of the grammar (its tags are
// the grammar); every node records where it starts (Pos) and ends (EndPos),
// filled by participle, which converts its lexer.Position to Pos.
// Productions are keyword-led so that one token of lookahead picks the
// branch and a syntax error points at the offending token.

// File is one source file: a sequence of declarations.
type File struct {
	Pos    Pos
	EndPos Pos
	Decls  []*Decl `parser:"@@*"`

	Name     string  // file name as given to Parse
	Src      string  // the source text
	Comments []Token // every comment, in order (kept by the formatter)
	// Dir is the directory that relative paths in the file (imports, data
	// set directories) resolve against; "" means the directory of Name.
	// Package dsl's loader sets it for a notebook cell, which has no file.
	Dir string
}

// Decl is one top-level declaration.
type Decl struct {
	Pos        Pos
	EndPos     Pos
	Import     *ImportDecl     `parser:"  @@"`
	Platform   *PlatformDecl   `parser:"| @@"`
	Pool       *PoolDecl       `parser:"| @@"`
	Space      *SpaceDecl      `parser:"| @@"`
	Dataset    *DatasetDecl    `parser:"| @@"`
	Evaluator  *EvaluatorDecl  `parser:"| @@"`
	Metric     *MetricDecl     `parser:"| @@"`
	Experiment *ExperimentDecl `parser:"| @@"`
	Run        *RunDecl        `parser:"| @@"`
}

// ImportDecl is `import "lib.hwnas"`.
type ImportDecl struct {
	Pos    Pos
	EndPos Pos
	Path   string `parser:"'import' @String"`
}

// RunDecl is `run NAME`.
type RunDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name `parser:"'run' @@"`
}

// Name is an identifier with its position.
type Name struct {
	Pos    Pos
	EndPos Pos
	Text   string `parser:"@Ident"`
}

// PlatformDecl is `platform NAME [from "CATALOG"] [{ field = value … }]`.
type PlatformDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name   `parser:"'platform' @@"`
	From   *Str    `parser:"( 'from' @@ )?"`
	Body   *Fields `parser:"@@?"`
}

// PoolDecl is `pool NAME { "ZCU102" x 2, pynq  link = 10 Gb/s }`.
type PoolDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name     `parser:"'pool' @@"`
	Body   *PoolBody `parser:"@@"`
}

// PoolBody lists the devices of a pool and its settings.
type PoolBody struct {
	Pos    Pos
	EndPos Pos
	Items  []*PoolItem `parser:"'{' @@* '}'"`
}

// PoolItem is a device (a catalog string or a platform name) with an
// optional count, `"ZCU102" x 2`, or a setting such as `link = 10 Gb/s`.
type PoolItem struct {
	Pos    Pos
	EndPos Pos
	Device *Value `parser:"@@"`
	Count  *Value `parser:"( 'x' @@"`
	Set    *Value `parser:"| '=' @@ )? ','?"`
}

// SpaceDecl is `space NAME = benchmark("…")` or `space NAME { … }`.
type SpaceDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name        `parser:"'space' @@"`
	Is     *Value       `parser:"( '=' @@"`
	Items  []*SpaceItem `parser:"| '{' @@* '}' )"`
}

// SpaceItem is one line of a space body.
type SpaceItem struct {
	Pos      Pos
	EndPos   Pos
	Input    *Value     `parser:"  'input' @@"`
	Repeat   *Repeat    `parser:"| @@"`
	Optional *LayerSpec `parser:"| 'optional' @@"`
	Choice   *Choice    `parser:"| @@"`
	Head     []*Value   `parser:"| 'head' @@ ( ',' @@ )*"`
	Cell     *Cell      `parser:"| @@"`
	Layer    *LayerSpec `parser:"| @@"`
}

// Repeat is `repeat N [shared] { layers }` or `repeat LO..HI …`.
type Repeat struct {
	Pos    Pos
	EndPos Pos
	Count  *Value       `parser:"'repeat' @@"`
	Shared bool         `parser:"@'shared'?"`
	Items  []*SpaceItem `parser:"'{' @@* '}'"`
}

// Choice is `choice { conv {…} dwconv {…} skip }`: the layer type is a decision.
type Choice struct {
	Pos    Pos
	EndPos Pos
	Alts   []*LayerSpec `parser:"'choice' '{' @@* '}'"`
}

// LayerSpec is a layer (`conv { kernel in {3, 5}  filters = 16 }`, `skip`) or
// a space setting (`batchnorm = true`).
type LayerSpec struct {
	Pos    Pos
	EndPos Pos
	Kind   *Name   `parser:"@@"`
	Set    *Value  `parser:"( '=' @@"`
	Body   *Fields `parser:"| @@ )?"`
}

// Cell is the cell of a NAS-Bench-201-style space.
type Cell struct {
	Pos    Pos
	EndPos Pos
	Items  []*CellItem `parser:"'cell' '{' @@* '}'"`
}

// CellItem is a cell setting or an edge override `edge 0 -> 1 in {…}`.
type CellItem struct {
	Pos    Pos
	EndPos Pos
	Edge   *Edge  `parser:"  @@"`
	Field  *Field `parser:"| @@"`
}

// Edge overrides the op choices of one edge of a cell.
type Edge struct {
	Pos    Pos
	EndPos Pos
	From   *Value `parser:"'edge' @@"`
	To     *Value `parser:"'->' @@"`
	Op     string `parser:"@( 'in' | '=' )"`
	Value  *Value `parser:"@@"`
}

// DatasetDecl is `dataset NAME { source = builtin("mnist") … }`.
type DatasetDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name   `parser:"'dataset' @@"`
	Body   *Fields `parser:"@@"`
}

// EvaluatorDecl is `evaluator NAME KIND [{ … }]`, KIND train, table or command.
type EvaluatorDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name   `parser:"'evaluator' @@"`
	Kind   *Name   `parser:"@@"`
	Body   *Fields `parser:"@@?"`
}

// MetricDecl is `metric NAME { unit = ms  goal = minimize }`: a metric an
// evaluator reports that the metric table does not know.
type MetricDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name   `parser:"'metric' @@"`
	Body   *Fields `parser:"@@"`
}

// ExperimentDecl is `experiment NAME { … }`.
type ExperimentDecl struct {
	Pos    Pos
	EndPos Pos
	Name   *Name      `parser:"'experiment' @@"`
	Items  []*ExpItem `parser:"'{' @@* '}'"`
}

// ExpItem is one line of an experiment.
type ExpItem struct {
	Pos      Pos
	EndPos   Pos
	Maximize []*Value  `parser:"  'maximize' @@ ( ',' @@ )*"`
	Minimize []*Value  `parser:"| 'minimize' @@ ( ',' @@ )*"`
	Require  *Require  `parser:"| @@"`
	Reward   *Block    `parser:"| 'reward' @@"`
	Strategy *Block    `parser:"| 'strategy' @@"`
	Fidelity *Block    `parser:"| 'fidelity' @@"`
	Budget   []*Amount `parser:"| 'budget' @@+"`
	Parallel *Value    `parser:"| 'parallel' @@"`
	Seed     *Value    `parser:"| 'seed' @@"`
	Retrain  *Value    `parser:"| 'retrain' @@"`
	Hardware *Hardware `parser:"| @@"`
	Field    *Field    `parser:"| @@"`
}

// Require is a hard constraint `require latency <= 8 ms`.
type Require struct {
	Pos    Pos
	EndPos Pos
	Metric *Name  `parser:"'require' @@"`
	Op     string `parser:"@( '<=' | '>=' | '<' | '>' )"`
	Limit  *Value `parser:"@@"`
}

// Block is `KIND [{ field = value … }]`, as in `strategy reinforce { lr = 0.1 }`.
type Block struct {
	Pos    Pos
	EndPos Pos
	Kind   *Name   `parser:"@@"`
	Body   *Fields `parser:"@@?"`
}

// Amount is one part of a budget: `60 trials` or `30 min`.
type Amount struct {
	Pos    Pos
	EndPos Pos
	Num    string `parser:"@Number"`
	Unit   string `parser:"@( 'trials' | 'trial' | Unit | 'ns' | 'us' | 'ms' | 's' | 'min' | 'h' | 'kHz' | 'MHz' | 'GHz' | 'W' | 'mW' | 'J' | 'mJ' | 'uJ' | 'fps' )"`
}

// Hardware is `hardware = NAME`, `hardware pool { … }` or `hardware search { … }`.
type Hardware struct {
	Pos    Pos
	EndPos Pos
	Ref    *Value    `parser:"'hardware' ( '=' @@"`
	Pool   *PoolBody `parser:"| 'pool' @@"`
	Search *Fields   `parser:"| 'search' @@ )"`
}

// Fields is a braced list of settings.
type Fields struct {
	Pos    Pos
	EndPos Pos
	Items  []*Field `parser:"'{' @@* '}'"`
}

// Field is `key = value` or `key in {set}` / `key in lo..hi`.
type Field struct {
	Pos    Pos
	EndPos Pos
	Key    *Name  `parser:"@@"`
	Op     string `parser:"@( '=' | 'in' )"`
	Value  *Value `parser:"@@"`
}

// Value is a literal, a reference, a call, a set or a range.
type Value struct {
	Pos    Pos
	EndPos Pos
	Set    *Set    `parser:"  @@"`
	Str    *string `parser:"| @String"`
	Dims   *string `parser:"| @Dims"`
	Num    *Num    `parser:"| @@"`
	Ref    *Ref    `parser:"| @@"`
}

// Set is `{a, b, c}`.
type Set struct {
	Pos    Pos
	EndPos Pos
	Elems  []*Value `parser:"'{' ( @@ ( ',' @@ )* ','? )? '}'"`
}

// Num is a number with an optional unit, possibly the start of a range
// `lo..hi [step s]`.
type Num struct {
	Pos    Pos
	EndPos Pos
	Neg    bool   `parser:"@'-'?"`
	Text   string `parser:"@Number"`
	Unit   string `parser:"@( Unit | 'ns' | 'us' | 'ms' | 's' | 'min' | 'h' | 'kHz' | 'MHz' | 'GHz' | 'W' | 'mW' | 'J' | 'mJ' | 'uJ' | 'fps' )?"`
	To     *Num   `parser:"( '..' @@"`
	Step   *Num   `parser:"  ( 'step' @@ )? )?"`
}

// Ref is a name, or a call `name(args)` such as `builtin("mnist")` or `dense(10)`.
type Ref struct {
	Pos    Pos
	EndPos Pos
	Name   string   `parser:"@Ident"`
	Call   bool     `parser:"( @'('"`
	Args   []*Value `parser:"  ( @@ ( ',' @@ )* )? ')' )?"`
}

// Str is a string literal with its position.
type Str struct {
	Pos    Pos
	EndPos Pos
	Text   string `parser:"@String"`
}
