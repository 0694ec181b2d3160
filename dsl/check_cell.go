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
	ok, haveInput, haveHead, haveStem := true, false, false, false
	for _, it := range d.Items {
		switch {
		case it.Input != nil:
			var k bool
			s.Input, k = c.input(it.Input)
			ok, haveInput = ok && k, true
		case it.Cell != nil:
			ok = c.cell(s, it.Cell) && ok
		case it.Head != nil:
			h, k := c.head(it.Head)
			haveHead = true
			if !k {
				ok = false
				continue
			}
			s.Classes = h[len(h)-1].Units
			if len(h) > 2 || (len(h) == 2 && h[0].Kind != "gap") {
				c.errorf(it.Pos, it.EndPos, "a cell space's head is gap, dense(classes)")
				ok = false
			}
		case it.Layer != nil && it.Layer.Kind.Text == "stem" && it.Layer.Body != nil:
			fs := c.fieldSet(it.Layer.Body, "stem", []string{"channels"})
			haveStem = true
			if f := fs["channels"]; f != nil {
				var k bool
				s.StemChannels, k = c.integer(f.Value, "channels", 1)
				ok = ok && k
			} else {
				c.errorf(it.Pos, it.EndPos, "stem needs channels, e.g. stem { channels = 16 }")
				ok = false
			}
		case it.Layer != nil && it.Layer.Kind.Text == "stage" && it.Layer.Body != nil:
			fs := c.fieldSet(it.Layer.Body, "stage", []string{"cells", "channels"})
			var st arch.CellStage
			for _, k := range []string{"cells", "channels"} {
				f := fs[k]
				if f == nil {
					c.errorf(it.Pos, it.EndPos, "stage needs cells and channels, e.g. stage { cells = 5  channels = 16 }")
					ok = false
					break
				}
				n, good := c.integer(f.Value, k, map[string]int{"cells": 0, "channels": 1}[k])
				ok = ok && good
				if k == "cells" {
					st.Cells = n
				} else {
					st.Channels = n
				}
			}
			s.Stages = append(s.Stages, st)
		default:
			c.errorf(it.Pos, it.EndPos, "a cell space holds input, cell, stem, stage and head")
			ok = false
		}
	}
	if !haveInput || !haveHead || !haveStem || len(s.Stages) == 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "cell space %s needs input, cell, stem, at least one stage and a head", d.Name.Text)
		ok = false
	}
	if !ok {
		return nil
	}
	return s
}

func (c *checker) cell(s *arch.CellSpace, cl *syntax.Cell) bool {
	ok := true
	var fields []*syntax.Field
	for _, it := range cl.Items {
		if it.Field != nil {
			fields = append(fields, it.Field)
		}
	}
	fs := c.fieldSet(&syntax.Fields{Items: fields}, "cell", cellKeys)
	if f := fs["nodes"]; f != nil {
		var k bool
		s.Nodes, k = c.integer(f.Value, "nodes", 2)
		if k && s.Nodes > 12 {
			c.errAt(f.Value, "a cell has at most 12 nodes")
			k = false
		}
		ok = ok && k
	}
	if f := fs["ops"]; f != nil {
		ops, k := c.ops(f.Value)
		s.Ops, ok = ops, ok && k
	} else {
		c.errorf(cl.Pos, cl.EndPos, "the cell needs its edge ops, e.g. ops in {none, skip, conv1x1, conv3x3, avgpool3x3}")
		ok = false
	}
	if !ok {
		return false
	}
	for _, it := range cl.Items {
		if it.Edge == nil {
			continue
		}
		from, k1 := c.integer(it.Edge.From, "edge source", 0)
		to, k2 := c.integer(it.Edge.To, "edge target", 0)
		if !k1 || !k2 {
			ok = false
			continue
		}
		if from >= to || to >= s.Nodes {
			c.errorf(it.Pos, it.EndPos, "edge %d -> %d: edges run from a node to a later one, among nodes 0..%d", from, to, s.Nodes-1)
			ok = false
			continue
		}
		ops, k := c.ops(it.Edge.Value)
		if !k {
			ok = false
			continue
		}
		e := to*(to-1)/2 + from
		for len(s.EdgeOps) <= e {
			s.EdgeOps = append(s.EdgeOps, nil)
		}
		s.EdgeOps[e] = ops
	}
	return ok
}

func (c *checker) ops(v *syntax.Value) ([]string, bool) {
	elems := []*syntax.Value{v}
	if v.Set != nil {
		elems = v.Set.Elems
	}
	var out []string
	ok := true
	for _, e := range elems {
		op, k := c.oneOf(e, "cell op", arch.CellOps)
		if k && slices.Contains(out, op) {
			c.errAt(e, "%s appears twice", op)
			k = false
		}
		ok = ok && k
		out = append(out, op)
	}
	if len(elems) == 0 {
		c.errAt(v, "the set of ops is empty")
		ok = false
	}
	return out, ok
}
