package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR
// version 7) for the messages and fields this package writes and reads.
const (
	modelIRVersion   = 1
	modelProducer    = 2
	modelProducerVer = 3
	modelDoc         = 6
	modelGraph       = 7
	modelOpset       = 8

	opsetDomain  = 1
	opsetVersion = 2

	graphNode   = 1
	graphName   = 2
	graphInit   = 5
	graphInput  = 11
	graphOutput = 12

	nodeInput  = 1
	nodeOutput = 2
	nodeName   = 3
	nodeOp     = 4
	nodeAttr   = 5

	attrName  = 1
	attrF     = 2
	attrI     = 3
	attrInts  = 8
	attrType  = 20
	attrFloat = 1 // AttributeProto.AttributeType FLOAT
	attrInt   = 2 // INT
	attrIntsT = 7 // INTS

	tensorDims  = 1
	tensorType  = 2
	tensorFloat = 4 // float_data
	tensorInt64 = 7 // int64_data
	tensorName  = 8
	tensorRaw   = 9
	typeFloat   = 1 // TensorProto.DataType FLOAT
	typeInt64   = 7 // INT64

	valueName       = 1
	valueType       = 2
	typeTensor      = 1 // TypeProto.tensor_type
	tensorElemType  = 1
	tensorShape     = 2
	shapeDim        = 1
	dimValue        = 1
	dimParam        = 2
	irVersion       = 7 // the IR version of opset 13 (onnx/docs/Versioning.md)
	opsetVersionNum = 13
)

// msg is a protobuf message being written.
type msg []byte

func (m msg) str(num protowire.Number, s string) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendString(m, s)
}

func (m msg) bytes(num protowire.Number, b []byte) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m msg) sub(num protowire.Number, s msg) msg { return m.bytes(num, s) }

func (m msg) varint(num protowire.Number, v int64) msg {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, uint64(v))
}

func (m msg) float(num protowire.Number, v float32) msg {
	m = protowire.AppendTag(m, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(v))
}

// ints writes a repeated int64 field packed (parsers accept packed and
// unpacked encodings of a repeated scalar alike).
func (m msg) ints(num protowire.Number, vs []int64) msg {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, uint64(v))
	}
	return m.bytes(num, p)
}

// floatTensor is a TensorProto of float32 values with raw little-endian data.
func floatTensor(name string, dims []int64, vs []float32) msg {
	raw := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return msg(nil).ints(tensorDims, dims).varint(tensorType, typeFloat).str(tensorName, name).bytes(tensorRaw, raw)
}

// int64Tensor is a TensorProto of int64 values.
func int64Tensor(name string, dims []int64, vs []int64) msg {
	return msg(nil).ints(tensorDims, dims).varint(tensorType, typeInt64).str(tensorName, name).ints(tensorInt64, vs)
}

func intAttr(name string, v int64) msg {
	return msg(nil).str(attrName, name).varint(attrI, v).varint(attrType, attrInt)
}

func intsAttr(name string, vs ...int64) msg {
	return msg(nil).str(attrName, name).ints(attrInts, vs).varint(attrType, attrIntsT)
}

func floatAttr(name string, v float32) msg {
	return msg(nil).str(attrName, name).float(attrF, v).varint(attrType, attrFloat)
}

// valueInfo is a float tensor's ValueInfoProto; a negative dimension is the
// free batch dimension "N".
func valueInfo(name string, dims ...int64) msg {
	var shape msg
	for _, d := range dims {
		dim := msg(nil).varint(dimValue, d)
		if d < 0 {
			dim = msg(nil).str(dimParam, "N")
		}
		shape = shape.sub(shapeDim, dim)
	}
	tt := msg(nil).varint(tensorElemType, typeFloat).sub(tensorShape, shape)
	return msg(nil).str(valueName, name).sub(valueType, msg(nil).sub(typeTensor, tt))
}
