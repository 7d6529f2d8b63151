#!/usr/bin/env python3
"""The PyTorch side of the side-by-side comparison: trains the same networks on the same data, the
way a careful PyTorch user would (DataLoader-free tensor slicing, torch.no_grad evaluation), and
prints one JSON object with per-epoch seconds, test accuracy and peak memory.

Data preparation matches Vitals' specs: Fashion-MNIST pixels standardised per channel with the
training split's mean and standard deviation; documents from a file Vitals exported (so that both
train on identical data).
"""
import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion(folder):
    def f(name):
        for n in (name + ".gz", name):
            p = os.path.join(folder, n)
            if os.path.exists(p):
                return p
        raise SystemExit("error: %s not found in %s" % (name, folder))
    xtr = read_idx(f("train-images-idx3-ubyte")).astype(np.float32)
    ytr = read_idx(f("train-labels-idx1-ubyte")).astype(np.int64)
    xte = read_idx(f("t10k-images-idx3-ubyte")).astype(np.float32)
    yte = read_idx(f("t10k-labels-idx1-ubyte")).astype(np.int64)
    mean, std = xtr.mean(), xtr.std()
    xtr = (xtr - mean) / std
    xte = (xte - mean) / std
    return (torch.from_numpy(xtr[:, None]), torch.from_numpy(ytr),
            torch.from_numpy(xte[:, None]), torch.from_numpy(yte))


def peak_rss_mb():
    """VmHWM of this process (what the Vitals side reports too), else getrusage's maximum RSS."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_library():
    """The BLAS file this process mapped (OpenBLAS first), to say which build PyTorch used."""
    found = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "blas" in os.path.basename(path) and path not in found:
                    found.append(path)
    except OSError:
        pass
    found.sort(key=lambda p: "openblas" not in os.path.basename(p))
    return os.path.realpath(found[0]) if found else "unknown"


def blas_core(path):
    """The kernel set an OpenBLAS chose (openblas_get_corename), or "" for another BLAS."""
    try:
        import ctypes
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return ""


def documents(path):
    d = np.load(path)
    return (torch.from_numpy(d["x_train"]), torch.from_numpy(d["y_train"].astype(np.int64)),
            torch.from_numpy(d["x_test"]), torch.from_numpy(d["y_test"].astype(np.int64)))


def model_for(workload, features, classes):
    if workload.startswith("mlp"):
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    if workload in ("docs", "documents"):
        sizes = [features, 2048, 1024, 512, 256, 128]
        layers = []
        for a, b in zip(sizes, sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(128, classes))
        return nn.Sequential(*layers)
    raise SystemExit("error: unknown workload " + workload)


def load_vitals_weights(model, path):
    """Copies a Vitals safetensors checkpoint into the model: its weight layers in order (Vitals names
    them layers.<index>.weight / .bias, in PyTorch's shapes: [out, in] and [filters, channels, kh, kw])."""
    with open(path, "rb") as f:
        raw = f.read()
    n, = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    names = sorted((k for k in header if k != "__metadata__" and k.endswith(".weight")), key=lambda k: int(k.split(".")[1]))
    layers = [m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    if len(names) != len(layers):
        raise SystemExit("error: %s holds %d weight layers, the model has %d" % (path, len(names), len(layers)))
    with torch.no_grad():
        for m, w in zip(layers, names):
            for name, t in (("weight", m.weight), ("bias", m.bias)):
                e = header[w[:-len("weight")] + name]
                if e["dtype"] != "F32" or list(e["shape"]) != list(t.shape):
                    raise SystemExit("error: %s: %s is %s %s, expected F32 %s" % (path, w, e["dtype"], e["shape"], list(t.shape)))
                lo, hi = e["data_offsets"]
                t.copy_(torch.from_numpy(np.frombuffer(raw[base + lo:base + hi], dtype="<f4").reshape(e["shape"]).copy()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=["mlp64", "mlp256", "cnn", "docs", "documents"])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--fashion", default=os.environ.get("VITALS_FASHION", "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--documents", help="npz exported by Vitals (x_train, y_train, x_test, y_test)")
    ap.add_argument("--init-from", help="start from the weights of a Vitals checkpoint (model.safetensors) instead of"
                                        " PyTorch's own draw: the same-start comparison of docs/PERFORMANCE.md")
    ap.add_argument("--no-shuffle", action="store_true", help="train on the examples in file order, as Vitals does"
                                                               " with data.shuffle: false")
    ap.add_argument("--log-steps", type=int, default=0, help="also report the loss of the first N steps")
    ap.add_argument("--subset", help="TRAIN,TEST: the first examples of each split only (after normalising with the"
                                     " full training split's statistics, as the Vitals side does)")
    a = ap.parse_args()
    if a.workload == "documents":
        a.workload = "docs"
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    if a.workload == "docs":
        if not a.documents:
            raise SystemExit("error: the docs workload needs --documents FILE.npz (SideBySide export-documents)")
        xtr, ytr, xte, yte = documents(a.documents)
        features, classes = xtr.shape[1], int(ytr.max()) + 1
    else:
        xtr, ytr, xte, yte = fashion(a.fashion)
        features, classes = 784, 10
    if a.subset:
        ntr, _, nte = a.subset.partition(",")
        ntr = int(ntr)
        nte = int(nte) if nte else ntr
        xtr, ytr, xte, yte = xtr[:ntr], ytr[:ntr], xte[:nte], yte[:nte]
    batch = a.batch or (256 if a.workload == "mlp256" else 64)
    model = model_for(a.workload, features, classes)
    if a.init_from:
        load_vitals_weights(model, a.init_from)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = xtr.shape[0]
    g = torch.Generator().manual_seed(a.seed)
    epochs = []
    step_losses = []
    for epoch in range(a.epochs):
        model.train()
        perm = torch.arange(n) if a.no_shuffle else torch.randperm(n, generator=g)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            if len(step_losses) < a.log_steps:
                step_losses.append(round(loss.item(), 6))
            opt.step()
        epochs.append(time.perf_counter() - t0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, xte.shape[0], 1000):
            correct += (model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "workload": a.workload, "batch": batch,
                      "train_size": int(n), "threads": torch.get_num_threads(), "blas": blas_library(),
                      "blas_core": blas_core(blas_library()),
                      "epoch_seconds": epochs, "first_step_losses": step_losses, "test_accuracy": correct / xte.shape[0], "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    sys.exit(main())
