"""Run an ONNX model written by hwnas with PyTorch's kernels.

An evaluator independent of hwnas's own (export/onnx Model.Run): the model is
read by the onnx package's parser and every node is computed with
torch.nn.functional, in float64. Usage:

    torch_eval.py MODEL.onnx INPUT.f32 N C H W OUTPUT.f32

INPUT and OUTPUT are raw little-endian float32 arrays (N×C×H×W in, the
model's output out).
"""
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def pad(x, p, value=0.0):
    # ONNX pads are (begin H, begin W, end H, end W); F.pad wants (W, W, H, H).
    return F.pad(x, (p[1], p[3], p[0], p[2]), value=value)


def run(node, a, i):
    op = node.op_type
    k, s, p = a.get("kernel_shape"), a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0])
    if op == "Conv":
        b = i[2] if len(i) > 2 else None
        return F.conv2d(pad(i[0], p), i[1], b, stride=s, groups=a.get("group", 1))
    if op == "MaxPool":
        return F.max_pool2d(pad(i[0], p, float("-inf")), k, s)
    if op == "AveragePool":
        assert a.get("count_include_pad", 0) == 0
        ones = torch.ones_like(i[0][:1, :1])
        return F.avg_pool2d(pad(i[0], p), k, s) / F.avg_pool2d(pad(ones, p), k, s)
    if op == "GlobalAveragePool":
        return i[0].mean((2, 3), keepdim=True)
    if op == "BatchNormalization":
        return F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
    if op == "Relu":
        return F.relu(i[0])
    if op == "Add":
        return i[0] + i[1]
    if op == "Sub":
        return i[0] - i[1]
    if op == "Mul":
        return i[0] * i[1]
    if op == "Flatten":
        ax = a.get("axis", 1)
        return i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
    if op == "Gemm":
        assert a.get("transA", 0) == 0 and a.get("transB", 0) == 0
        return i[0] @ i[1] + i[2]
    if op == "Concat":
        return torch.cat(i, a["axis"])
    if op == "Reshape":
        shape = [i[0].shape[d] if v == 0 else v for d, v in enumerate(i[1].long().tolist())]
        return i[0].reshape(shape)
    if op == "Identity":
        return i[0]
    raise SystemExit("unsupported op " + op)


def main():
    model, inp, n, c, h, w, out = sys.argv[1:]
    g = onnx.load(model).graph
    vals = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in g.initializer}
    x = np.fromfile(inp, dtype="<f4").reshape(int(n), int(c), int(h), int(w))
    vals[g.input[0].name] = torch.from_numpy(x.astype(np.float64))
    for node in g.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        vals[node.output[0]] = run(node, a, [vals[s] for s in node.input])
    vals[g.output[0].name].numpy().astype("<f4").tofile(out)


main()
