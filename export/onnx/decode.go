package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Model is a decoded ONNX model: the subset of ModelProto this package
// writes, enough for Run.
type Model struct {
	Opset   int64
	Nodes   []Node
	Inits   map[string]Tensor
	Inputs  []string // graph inputs that are not initialisers
	Outputs []string
}

// Node is one NodeProto.
type Node struct {
	Op      string
	Name    string
	Inputs  []string
	Outputs []string
	Ints    map[string][]int64 // INT and INTS attributes
	Floats  map[string]float32 // FLOAT attributes
}

// Tensor is a float32 or int64 tensor (Ints set for INT64 data).
type Tensor struct {
	Dims  []int64
	Float []float32
	Ints  []int64
}

// maxElems bounds the elements of one decoded tensor.
const maxElems = 1 << 28

// Decode reads the bytes of an ONNX model.
func Decode(b []byte) (*Model, error) {
	m := &Model{Inits: map[string]Tensor{}}
	err := fields(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case modelGraph:
			return m.graph(v)
		case modelOpset:
			return fields(v, func(num protowire.Number, _ []byte, x uint64) error {
				if num == opsetVersion {
					m.Opset = int64(x)
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("onnx: decoding the model: %w", err)
	}
	return m, nil
}

// fields calls fn on every field of the message b: v is a length-delimited
// field's bytes, x a varint's or fixed32's value.
func fields(b []byte, fn func(num protowire.Number, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(b)
			x = uint64(u)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, v, x); err != nil {
			return err
		}
	}
	return nil
}

func (m *Model) graph(b []byte) error {
	inputs := []string{}
	err := fields(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case graphNode:
			n, err := decodeNode(v)
			m.Nodes = append(m.Nodes, n)
			return err
		case graphInit:
			name, t, err := decodeTensor(v)
			m.Inits[name] = t
			return err
		case graphInput, graphOutput:
			name, err := readValueName(v)
			if num == graphInput {
				inputs = append(inputs, name)
			} else {
				m.Outputs = append(m.Outputs, name)
			}
			return err
		}
		return nil
	})
	for _, s := range inputs {
		if _, ok := m.Inits[s]; !ok {
			m.Inputs = append(m.Inputs, s)
		}
	}
	return err
}

func readValueName(b []byte) (string, error) {
	var name string
	err := fields(b, func(num protowire.Number, v []byte, _ uint64) error {
		if num == valueName {
			name = string(v)
		}
		return nil
	})
	return name, err
}

func decodeNode(b []byte) (Node, error) {
	n := Node{Ints: map[string][]int64{}, Floats: map[string]float32{}}
	err := fields(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case nodeInput:
			n.Inputs = append(n.Inputs, string(v))
		case nodeOutput:
			n.Outputs = append(n.Outputs, string(v))
		case nodeName:
			n.Name = string(v)
		case nodeOp:
			n.Op = string(v)
		case nodeAttr:
			return n.attr(v)
		}
		return nil
	})
	return n, err
}

func (n *Node) attr(b []byte) error {
	var name string
	var ints []int64
	var f float32
	var isFloat bool
	err := fields(b, func(num protowire.Number, v []byte, x uint64) error {
		switch num {
		case attrName:
			name = string(v)
		case attrI:
			ints = append(ints, int64(x))
		case attrF:
			f, isFloat = math.Float32frombits(uint32(x)), true
		case attrInts:
			if v == nil { // unpacked
				ints = append(ints, int64(x))
				return nil
			}
			return varints(v, func(x uint64) { ints = append(ints, int64(x)) })
		}
		return nil
	})
	if isFloat {
		n.Floats[name] = f
	} else {
		n.Ints[name] = ints
	}
	return err
}

// varints calls fn on every varint of a packed repeated field.
func varints(b []byte, fn func(uint64)) error {
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		fn(x)
		b = b[n:]
	}
	return nil
}

func decodeTensor(b []byte) (string, Tensor, error) {
	var t Tensor
	var name string
	var raw []byte
	var dtype uint64
	err := fields(b, func(num protowire.Number, v []byte, x uint64) error {
		switch num {
		case tensorDims:
			if v == nil {
				t.Dims = append(t.Dims, int64(x))
				return nil
			}
			return varints(v, func(x uint64) { t.Dims = append(t.Dims, int64(x)) })
		case tensorType:
			dtype = x
		case tensorName:
			name = string(v)
		case tensorRaw:
			raw = v
		case tensorInt64:
			if v == nil {
				t.Ints = append(t.Ints, int64(x))
				return nil
			}
			return varints(v, func(x uint64) { t.Ints = append(t.Ints, int64(x)) })
		}
		return nil
	})
	if err != nil {
		return name, t, err
	}
	return name, t, t.fill(name, dtype, raw)
}

// fill checks t's size against its dims and reads its raw float data.
func (t *Tensor) fill(name string, dtype uint64, raw []byte) error {
	size := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > maxElems || size*d > maxElems {
			return fmt.Errorf("tensor %q: dims %v out of range", name, t.Dims)
		}
		size *= d
	}
	switch dtype {
	case typeFloat:
		if int64(len(raw)) != 4*size {
			return fmt.Errorf("tensor %q: %d bytes of raw data for dims %v", name, len(raw), t.Dims)
		}
		t.Float = make([]float32, size)
		for i := range t.Float {
			t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case typeInt64:
		if int64(len(t.Ints)) != size {
			return fmt.Errorf("tensor %q: %d int64 values for dims %v", name, len(t.Ints), t.Dims)
		}
	default:
		return errors.New("tensor " + fmt.Sprintf("%q", name) + ": only float and int64 tensors are read")
	}
	return nil
}
