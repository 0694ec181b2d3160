package dsl

import (
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
)

var cellKeys = []string{"nodes", "ops"}

// cellSpace checks a NAS-Bench-201-style space:
//
//	space cells { input 32x32x3  cell { nodes = 4  ops in {…} }  stem { channels = 16 }
//	              stage { cells = 5  channels = 16 } …  head gap, dense(10) }
func (c *checker) cellSpace(d *syntax.SpaceDecl) *arch.CellSpace {
	s := &arch.CellSpace{SpaceName: d.Name.Text, Nodes: 4}
	// Unknown settings of the cell, the stem and the stages are reported but,
	// as in every declaration, leave the space valid: read them first.
	settings := c.cellSettings(d.Items)
	n := len(c.errs)
	haveInput, haveHead, haveStem := false, false, false
	for _, it := range d.Items {
		switch {
		case it.Input != nil:
			s.Input, _ = c.input(it.Input)
			haveInput = true
		case it.Cell != nil:
			c.cell(s, it.Cell, settings[it])
		case it.Head != nil:
			c.cellHead(s, it)
			haveHead = true
		case isBlock(it, "stem"):
			c.stem(s, it, settings[it])
			haveStem = true
		case isBlock(it, "stage"):
			c.stage(s, it, settings[it])
		default:
			c.errorf(it.Pos, it.EndPos, "a cell space holds input, cell, stem, stage and head")
		}
	}
	if !haveInput || !haveHead || !haveStem || len(s.Stages) == 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "cell space %s needs input, cell, stem, at least one stage and a head", d.Name.Text)
	}
	if len(c.errs) > n {
		return nil
	}
	return s
}

// isBlock reports whether a space item is `kind { … }`.
func isBlock(it *syntax.SpaceItem, kind string) bool {
	return it.Layer != nil && it.Layer.Kind.Text == kind && it.Layer.Body != nil
}

// cellSettings reads the settings of the cell, the stem and the stages.
func (c *checker) cellSettings(items []*syntax.SpaceItem) map[*syntax.SpaceItem]map[string]*syntax.Field {
	out := map[*syntax.SpaceItem]map[string]*syntax.Field{}
	for _, it := range items {
		switch {
		case it.Cell != nil:
			var fields []*syntax.Field
			for _, ci := range it.Cell.Items {
				if ci.Field != nil {
					fields = append(fields, ci.Field)
				}
			}
			out[it] = c.fieldSet(&syntax.Fields{Items: fields}, "cell", cellKeys)
		case isBlock(it, "stem"):
			out[it] = c.fieldSet(it.Layer.Body, "stem", []string{"channels"})
		case isBlock(it, "stage"):
			out[it] = c.fieldSet(it.Layer.Body, "stage", []string{"cells", "channels"})
		}
	}
	return out
}

// cellHead checks that a cell space's head is gap, dense(classes).
func (c *checker) cellHead(s *arch.CellSpace, it *syntax.SpaceItem) {
	h, ok := c.head(it.Head)
	if !ok {
		return
	}
	s.Classes = h[len(h)-1].Units
	if len(h) > 2 || (len(h) == 2 && h[0].Kind != "gap") {
		c.errorf(it.Pos, it.EndPos, "a cell space's head is gap, dense(classes)")
	}
}

// stem reads `stem { channels = 16 }`.
func (c *checker) stem(s *arch.CellSpace, it *syntax.SpaceItem, fs map[string]*syntax.Field) {
	if f := fs["channels"]; f != nil {
		s.StemChannels, _ = c.integer(f.Value, "channels", 1)
	} else {
		c.errorf(it.Pos, it.EndPos, "stem needs channels, e.g. stem { channels = 16 }")
	}
}

// stage reads `stage { cells = 5  channels = 16 }`.
func (c *checker) stage(s *arch.CellSpace, it *syntax.SpaceItem, fs map[string]*syntax.Field) {
	var st arch.CellStage
	if fs["cells"] == nil || fs["channels"] == nil {
		c.errorf(it.Pos, it.EndPos, "stage needs cells and channels, e.g. stage { cells = 5  channels = 16 }")
	}
	if f := fs["cells"]; f != nil {
		st.Cells, _ = c.integer(f.Value, "cells", 0)
	}
	if f := fs["channels"]; f != nil && fs["cells"] != nil {
		st.Channels, _ = c.integer(f.Value, "channels", 1)
	}
	s.Stages = append(s.Stages, st)
}

// cell reads the cell's nodes and ops, then its edge overrides.
func (c *checker) cell(s *arch.CellSpace, cl *syntax.Cell, fs map[string]*syntax.Field) {
	n := len(c.errs)
	if f := fs["nodes"]; f != nil {
		var ok bool
		if s.Nodes, ok = c.integer(f.Value, "nodes", 2); ok && s.Nodes > 12 {
			c.errAt(f.Value, "a cell has at most 12 nodes")
		}
	}
	if f := fs["ops"]; f != nil {
		s.Ops, _ = c.ops(f.Value)
	} else {
		c.errorf(cl.Pos, cl.EndPos, "the cell needs its edge ops, e.g. ops in {none, skip, conv1x1, conv3x3, avgpool3x3}")
	}
	if len(c.errs) > n {
		return
	}
	for _, it := range cl.Items {
		if it.Edge != nil {
			c.edge(s, it)
		}
	}
}

// edge reads `edge FROM -> TO in {ops}`, which restricts one edge's ops.
func (c *checker) edge(s *arch.CellSpace, it *syntax.CellItem) {
	from, ok1 := c.integer(it.Edge.From, "edge source", 0)
	to, ok2 := c.integer(it.Edge.To, "edge target", 0)
	if !ok1 || !ok2 {
		return
	}
	if from >= to || to >= s.Nodes {
		c.errorf(it.Pos, it.EndPos, "edge %d -> %d: edges run from a node to a later one, among nodes 0..%d", from, to, s.Nodes-1)
		return
	}
	ops, ok := c.ops(it.Edge.Value)
	if !ok {
		return
	}
	e := to*(to-1)/2 + from
	for len(s.EdgeOps) <= e {
		s.EdgeOps = append(s.EdgeOps, nil)
	}
	s.EdgeOps[e] = ops
}

// ops reads one op or a set of ops.
func (c *checker) ops(v *syntax.Value) ([]string, bool) {
	n := len(c.errs)
	elems := []*syntax.Value{v}
	if v.Set != nil {
		elems = v.Set.Elems
	}
	var out []string
	for _, e := range elems {
		op, ok := c.oneOf(e, "cell op", arch.CellOps)
		if ok && slices.Contains(out, op) {
			c.errAt(e, "%s appears twice", op)
		}
		out = append(out, op)
	}
	if len(elems) == 0 {
		c.errAt(v, "the set of ops is empty")
	}
	return out, len(c.errs) == n
}
