#!/usr/bin/env python3
"""A command evaluator for hwnas that trains each network with PyTorch.

hwnas writes one JSON request on stdin (the network's layers in topological
order, the data set, the training fidelity and the cores it may use) and
reads one JSON object of metrics from stdout:

    {"accuracy": 0.97, "test_accuracy": 0.96, "train_s": 12.3}

accuracy is the validation accuracy (a fraction), test_accuracy the accuracy
on the test images. Under a fidelity schedule the request carries a
"checkpoint" path: the trainer saves its state there after each rung and
resumes from it at the next. Errors go to stderr with a non-zero exit; hwnas records
the trial as failed with the tail of stderr and the search goes on.

Works with Debian's python3-torch (no torchvision needed): MNIST is read from
the IDX files shipped in hwnas (engine/data/mnist), or from the directory in
$HWNAS_MNIST_DIR; "idx:DIR" data sets are read from DIR.
"""

import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MNIST = os.path.join(HERE, "..", "..", "engine", "data", "mnist")


def fail(msg):
    print("pytorch_trainer: " + msg, file=sys.stderr)
    sys.exit(1)


def read_idx(path):
    """Reads an IDX file (optionally gzipped) into a uint8 tensor."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        fail("%s is not an unsigned-byte IDX file" % path)
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = data[4 + 4 * ndim:]
    n = 1
    for d in dims:
        n *= d
    if len(body) != n:
        fail("%s: %d bytes of data for dimensions %s" % (path, len(body), dims))
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def load(dataset):
    if dataset == "mnist":
        d = os.environ.get("HWNAS_MNIST_DIR", DEFAULT_MNIST)
    elif dataset.startswith("idx:"):
        d = dataset[4:]
    else:
        fail("unsupported data set %r (this example reads mnist and idx:DIR)" % dataset)

    def pair(images, labels):
        x = read_idx(os.path.join(d, images)).float().div_(255)
        if x.dim() == 3:
            x = x.unsqueeze(1)  # N, 1, H, W
        return x, read_idx(os.path.join(d, labels)).long()

    return (pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


class Net(nn.Module):
    """The hwnas network IR as a module: layer i reads layers in["in"] (-1 is the input)."""

    def __init__(self, spec):
        super().__init__()
        self.layers = spec["layers"]
        h, w, c = spec["input"]
        shapes = {-1: (h, w, c)}
        self.mods = nn.ModuleList()
        for i, l in enumerate(self.layers):
            cin = shapes[l["in"][0]][2]
            op = l["op"]
            if op == "conv":
                # Padding is applied in forward (pad before, pad + pad_after after).
                m = nn.Sequential(nn.Conv2d(cin, l["out"], l["kernel"], l["stride"], 0,
                                            groups=l.get("groups", 1)))
                if l.get("bn"):
                    m.append(nn.BatchNorm2d(l["out"]))
            elif op == "maxpool":
                m = nn.MaxPool2d(l["kernel"], l["stride"], 0)
            elif op == "avgpool":
                m = nn.AvgPool2d(l["kernel"], l["stride"], 0)
            elif op == "dense":
                ih, iw, ic = shapes[l["in"][0]]
                m = nn.Sequential(nn.Flatten(), nn.Linear(ih * iw * ic, l["out"]))
                if l.get("bn"):
                    m.append(nn.BatchNorm1d(l["out"]))
            elif op in ("gap", "add", "concat"):
                m = nn.Identity()
            else:
                fail("layer %d: unknown op %r" % (i, op))
            self.mods.append(m)
            shapes[i] = tuple(l["shape"])

    def forward(self, x):
        outs = {-1: x}
        for i, (l, m) in enumerate(zip(self.layers, self.mods)):
            ins = [outs[j] for j in l["in"]]
            op = l["op"]
            if op == "add":
                y = sum(ins)
            elif op == "concat":
                y = torch.cat(ins, dim=1)
            elif op == "gap":
                y = ins[0].mean(dim=(2, 3), keepdim=True)
            elif op in ("conv", "maxpool", "avgpool"):
                y = padded(op, m, ins[0], l.get("pad", 0), l.get("pad_after", 0))
            else:
                y = m(ins[0])
            if op == "dense" and y.dim() == 2:
                y = y[:, :, None, None]
            if l.get("act") == "relu":
                y = F.relu(y)
            outs[i] = y
        return outs[len(self.layers) - 1].flatten(1)


def padded(op, m, x, pad, after):
    """Applies m to x padded by pad before and pad + after after, as hwnas's
    layers do: zeros for a convolution, -inf for a max pool, and, for an
    average pool, windows averaged over the real pixels only."""
    if pad == 0 and after == 0:
        return m(x)
    sides = (pad, pad + after, pad, pad + after)
    if op == "conv":
        return m(F.pad(x, sides))
    if op == "maxpool":
        return m(F.pad(x, sides, value=float("-inf")))
    ones = torch.ones_like(x[:1, :1])
    return m(F.pad(x, sides)) / m(F.pad(ones, sides))


def subset(x, y, n, gen):
    if n <= 0 or n >= len(y):
        return x, y
    idx = torch.randperm(len(y), generator=gen)[:n]
    return x[idx], y[idx]


def accuracy(net, x, y, batch=500):
    if len(y) == 0:
        return 0.0
    net.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            right += (net(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return right / len(y)


def resume(ckpt, net, opt, gen):
    """Loads the state saved at a fidelity schedule's previous rung, if any.

    The constant learning rate needs no schedule, so max_epochs is unused;
    the generator's state makes the rest of the shuffles those of training
    all the epochs at once. Returns the epochs already trained.
    """
    if not ckpt or not os.path.exists(ckpt):
        return 0
    state = torch.load(ckpt)
    net.load_state_dict(state["net"])
    opt.load_state_dict(state["opt"])
    gen.set_state(state["gen"])
    return int(state["epoch"])


def main():
    try:
        req = json.load(sys.stdin)
    except json.JSONDecodeError as e:
        fail("the request on stdin is not JSON: %s" % e)
    fid = req.get("fidelity", {})
    seed = int(fid.get("seed", 0))
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, int(req.get("threads", 1))))
    gen = torch.Generator().manual_seed(seed)

    (xtr, ytr), (xte, yte) = load(req.get("dataset", "mnist"))
    perm = torch.randperm(len(ytr), generator=gen)
    nval = int(fid.get("val", 0))
    xval, yval = xtr[perm[:nval]], ytr[perm[:nval]]
    xtr, ytr = xtr[perm[nval:]], ytr[perm[nval:]]
    xtr, ytr = subset(xtr, ytr, int(fid.get("train", 0)), gen)
    xte, yte = subset(xte, yte, int(fid.get("test", 0)), gen)
    mean, std = xtr.mean(), xtr.std()
    xtr, xval, xte = (xtr - mean) / std, (xval - mean) / std, (xte - mean) / std

    net = Net(req["network"])
    lr = float(fid.get("lr") or 0.001)
    opt_name = fid.get("optimizer") or "adam"
    if opt_name == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    elif opt_name == "rmsprop":
        opt = torch.optim.RMSprop(net.parameters(), lr=lr)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=lr)
    epochs, batch = max(1, int(fid.get("epochs", 1))), max(1, int(fid.get("batch", 64)))
    ckpt = req.get("checkpoint")
    start = resume(ckpt, net, opt, gen)

    t0 = time.time()
    train_loss = float("nan")
    for _ in range(start, epochs):
        net.train()
        order = torch.randperm(len(ytr), generator=gen)
        total, steps = 0.0, 0
        for i in range(0, len(ytr), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(net(xtr[idx]), ytr[idx])
            if not torch.isfinite(loss):
                fail("training diverged (loss %s)" % loss.item())
            loss.backward()
            opt.step()
            total, steps = total + loss.item(), steps + 1
        train_loss = total / max(steps, 1)
    train_s = time.time() - t0
    if ckpt:
        torch.save({"epoch": epochs, "net": net.state_dict(), "opt": opt.state_dict(),
                    "gen": gen.get_state()}, ckpt)

    test = accuracy(net, xte, yte)
    val = accuracy(net, xval, yval) if nval > 0 else test
    out = {"accuracy": val, "test_accuracy": test, "train_s": train_s, "epochs_run": epochs - start}
    if train_loss == train_loss:  # not NaN: an epoch ran
        out["train_loss"] = train_loss  # mean loss of the last epoch
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
