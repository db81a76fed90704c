#!/usr/bin/python3
"""Checks drum_cnn/1/model.onnx against a reference forward pass computed straight from the Keras weights.

    /usr/bin/python3 verify_onnx.py [path/to/complete_network.h5] [path/to/model.onnx] [resource dir]

1. Reference: the Keras Sequential model evaluated in numpy, channels-last, from the HDF5 weights and
   layer configs (SAME/VALID padding, 2x2 max-pooling, channels-last flatten, ReLU/sigmoid, dropout
   as identity), independent of the ONNX graph.
2. The ONNX file is evaluated op by op by a small numpy interpreter (ONNX Runtime for Python is not
   packaged by Debian) and compared with the reference: the max abs difference is printed.
3. The seeded inputs and the reference outputs are written as little-endian float32 files for the
   Java test that runs the same file through ONNX Runtime Java (DrumCnnModelTest), which checks
   the ONNX Runtime outputs against them within 1e-4.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

from export_onnx import DEFAULT_H5, DEFAULT_OUT, HERE, INPUT_NAME, OUTPUT_NAME, load_keras

DEFAULT_RESOURCES = os.path.join(HERE, "..", "..", "cpu-server", "src", "test", "resources", "drum_cnn")


def reference_inputs():
    """Six inputs [6,128,18,1] spanning the magnitudes a power mel spectrogram takes."""
    rng = np.random.default_rng(20261123)
    shape = (128, 18, 1)
    burst = np.outer(np.exp(-np.arange(128) / 40.0), np.exp(-np.arange(18) / 4.0))[:, :, None]
    # Mostly small magnitudes, where the sigmoids are not saturated and the check is sharp, plus
    # one input as loud as a full-scale hit (saturated outputs).
    x = [
        np.zeros(shape),
        rng.uniform(0.0, 0.03, shape),
        rng.exponential(0.01, shape),
        10.0 ** rng.uniform(-6.0, -0.5, shape),
        burst * 3.0,
        10.0 ** rng.uniform(-3.0, 4.0, shape),
    ]
    return np.stack(x).astype(np.float32)


def keras_forward(layers, weights, x):
    """The Sequential model in numpy, NHWC, float64 accumulation."""
    a = x.astype(np.float64)
    for layer in layers:
        cls, cfg = layer["class_name"], layer["config"]
        if cls == "Conv2D":
            kernel, bias = weights[cfg["name"]]
            a = conv2d_nhwc(a, kernel.astype(np.float64), bias.astype(np.float64), cfg["padding"])
            a = act(a, cfg["activation"])
        elif cls == "MaxPooling2D":
            ph, pw = cfg["pool_size"]
            n, h, w, c = a.shape
            ho, wo = h // ph, w // pw
            a = a[:, :ho * ph, :wo * pw, :].reshape(n, ho, ph, wo, pw, c).max(axis=(2, 4))
        elif cls == "Flatten":
            a = a.reshape(a.shape[0], -1)
        elif cls == "Dense":
            kernel, bias = weights[cfg["name"]]
            a = act(a @ kernel.astype(np.float64) + bias, cfg["activation"])
    return a


def conv2d_nhwc(a, kernel, bias, padding):
    kh, kw, cin, cout = kernel.shape
    if padding == "same":
        a = np.pad(a, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    n, h, w, _ = a.shape
    ho, wo = h - kh + 1, w - kw + 1
    out = np.zeros((n, ho, wo, cout))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nhwc,cd->nhwd", a[:, i:i + ho, j:j + wo, :], kernel[i, j])
    return out + bias


def act(a, kind):
    if kind == "relu":
        return np.maximum(a, 0.0)
    if kind == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * a))
    assert kind == "linear"
    return a


def run_onnx(model, x):
    """Evaluates the ops export_onnx.py emits, in graph order, in float32 like a runtime would."""
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values[INPUT_NAME] = x
    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        ins = [values[i] for i in node.input]
        op = node.op_type
        if op == "Transpose":
            out = np.transpose(ins[0], attrs["perm"])
        elif op == "Conv":
            xin, w, b = ins
            t, l, bt, r = attrs["pads"]
            xin = np.pad(xin, ((0, 0), (0, 0), (t, bt), (l, r)))
            kh, kw = attrs["kernel_shape"]
            n, c, h, wd = xin.shape
            ho, wo = h - kh + 1, wd - kw + 1
            out = np.zeros((n, w.shape[0], ho, wo), dtype=np.float32)
            for i in range(kh):
                for j in range(kw):
                    out += np.einsum("nchw,dc->ndhw", xin[:, :, i:i + ho, j:j + wo], w[:, :, i, j])
            out += b[None, :, None, None]
        elif op == "MaxPool":
            ph, pw = attrs["kernel_shape"]
            assert list(attrs["strides"]) == [ph, pw]
            n, c, h, wd = ins[0].shape
            ho, wo = h // ph, wd // pw
            out = ins[0][:, :, :ho * ph, :wo * pw].reshape(n, c, ho, ph, wo, pw).max(axis=(3, 5))
        elif op == "Reshape":
            shape = [ins[0].shape[k] if s == 0 else s for k, s in enumerate(ins[1])]
            out = ins[0].reshape(shape)
        elif op == "Gemm":
            assert not attrs.get("transA") and not attrs.get("transB")
            out = ins[0] @ ins[1] + ins[2]
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "Sigmoid":
            out = 0.5 * (1 + np.tanh(0.5 * ins[0]))
        else:
            raise ValueError("op not handled: " + op)
        values[node.output[0]] = out.astype(np.float32)
    return values[OUTPUT_NAME]


def main():
    h5_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_H5
    onnx_path = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    resources = sys.argv[3] if len(sys.argv) > 3 else DEFAULT_RESOURCES
    layers, weights = load_keras(h5_path)
    x = reference_inputs()
    expected = keras_forward(layers, weights, x).astype(np.float32)
    actual = run_onnx(onnx.load(onnx_path), x)
    diff = float(np.max(np.abs(actual - expected)))
    np.set_printoptions(precision=5, suppress=True)
    print("reference outputs (SD, HH, KD, RC, TT, CC):")
    print(expected)
    print(f"max abs difference ONNX graph vs numpy reference: {diff:.3g}")
    os.makedirs(resources, exist_ok=True)
    x.astype("<f4").tofile(os.path.join(resources, "reference-inputs-6x128x18x1.f32"))
    expected.astype("<f4").tofile(os.path.join(resources, "reference-outputs-6x6.f32"))
    print(f"wrote reference inputs/outputs to {os.path.normpath(resources)}")
    if diff > 1e-4:
        sys.exit("ONNX graph disagrees with the reference")


if __name__ == "__main__":
    main()
