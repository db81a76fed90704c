#!/usr/bin/python3
"""Builds drum_cnn/1/model.onnx from the AnNOTEator Keras weights (complete_network.h5).

No TensorFlow needed: the layer configs and weights are read with h5py and the graph is written
with the `onnx` package. Debian: apt-get install python3-h5py python3-onnx python3-numpy.

    /usr/bin/python3 export_onnx.py [path/to/complete_network.h5] [path/to/model.onnx]

Contract (channels-last, exactly as the Keras model): input `conv2d_input` FP32 [N,128,18,1]
(power mel spectrogram, 128 mel bands x 18 frames) -> output `dense_2` FP32 [N,6], independent
sigmoids in the order SD, HH, KD, RC, TT, CC. Dropout layers are identity at inference.
"""
import json
import os
import sys

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_H5 = os.path.join(HERE, "..", "..", "..", "..", "shared", "models", "annoteator", "complete_network.h5")
DEFAULT_OUT = os.path.join(HERE, "1", "model.onnx")

INPUT_NAME = "conv2d_input"
OUTPUT_NAME = "dense_2"
OPSET = 13


def load_keras(h5_path):
    """Returns the Sequential layer configs and {layer name: (kernel, bias)}."""
    with h5py.File(h5_path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        weights = {}
        group = f["model_weights"]
        for name in group.attrs["layer_names"]:
            name = name.decode() if isinstance(name, bytes) else name
            g = group[name]
            names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
            if names:
                by_suffix = {n.split("/")[-1]: np.asarray(g[n], dtype=np.float32) for n in names}
                weights[name] = (by_suffix["kernel:0"], by_suffix["bias:0"])
    return layers, weights


def build(layers, weights):
    nodes, inits = [], []
    # Keras is NHWC, ONNX Conv/MaxPool are NCHW: transpose in, and back before Flatten so that the
    # flattened order (h, w, c) matches the Dense kernel's rows.
    current = "nchw_input"
    nodes.append(helper.make_node("Transpose", [INPUT_NAME], [current], perm=[0, 3, 1, 2]))
    layout = "NCHW"
    for i, layer in enumerate(layers):
        cls, cfg = layer["class_name"], layer["config"]
        name = cfg["name"]
        if cls == "InputLayer":
            continue
        if cls == "Conv2D":
            kernel, bias = weights[name]
            assert cfg["strides"] == [1, 1] and cfg["dilation_rate"] == [1, 1] and cfg["groups"] == 1
            kh, kw = cfg["kernel_size"]
            if cfg["padding"] == "same":
                # Stride 1 with an odd kernel: TensorFlow's SAME padding is symmetric.
                assert kh % 2 == 1 and kw % 2 == 1
                pads = [kh // 2, kw // 2, kh // 2, kw // 2]
            else:
                assert cfg["padding"] == "valid"
                pads = [0, 0, 0, 0]
            w = numpy_helper.from_array(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)), name + "/W")
            b = numpy_helper.from_array(bias, name + "/B")
            inits += [w, b]
            out = name
            nodes.append(helper.make_node("Conv", [current, w.name, b.name], [out], kernel_shape=[kh, kw], pads=pads,
                                          strides=[1, 1], name=name))
            current = activation(nodes, out, cfg["activation"])
        elif cls == "MaxPooling2D":
            assert cfg["padding"] == "valid"
            out = name
            nodes.append(helper.make_node("MaxPool", [current], [out], kernel_shape=cfg["pool_size"],
                                          strides=cfg["strides"], name=name))
            current = out
        elif cls == "Flatten":
            assert cfg["data_format"] == "channels_last"
            nhwc = name + "/nhwc"
            nodes.append(helper.make_node("Transpose", [current], [nhwc], perm=[0, 2, 3, 1]))
            shape = numpy_helper.from_array(np.array([0, -1], dtype=np.int64), name + "/shape")
            inits.append(shape)
            nodes.append(helper.make_node("Reshape", [nhwc, shape.name], [name], name=name))
            layout = "NC"
            current = name
        elif cls == "Dense":
            kernel, bias = weights[name]
            w = numpy_helper.from_array(kernel, name + "/W")
            b = numpy_helper.from_array(bias, name + "/B")
            inits += [w, b]
            out = name + "/linear"
            nodes.append(helper.make_node("Gemm", [current, w.name, b.name], [out], name=name))
            current = activation(nodes, out, cfg["activation"])
        elif cls == "Dropout":
            continue
        else:
            raise ValueError("layer type not handled: " + cls)
    assert layout == "NC"
    # The last activation's output carries the Keras name of the last layer.
    nodes[-1].output[0] = OUTPUT_NAME
    graph = helper.make_graph(
        nodes, "annoteator_drum_cnn",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", 128, 18, 1])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", 6])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="songmap export_onnx.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    model.doc_string = ("AnNOTEator drum-hit classifier (MIT, Hung, Brown, Chang 2022). Input: power mel "
                        "[N,128,18,1]; output: sigmoids [N,6] in the order SD, HH, KD, RC, TT, CC.")
    onnx.checker.check_model(model)
    return model


def activation(nodes, tensor, kind):
    if kind == "linear":
        return tensor
    op = {"relu": "Relu", "sigmoid": "Sigmoid"}[kind]
    out = tensor + "/" + kind
    nodes.append(helper.make_node(op, [tensor], [out]))
    return out


def main():
    h5_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_H5
    out_path = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    layers, weights = load_keras(h5_path)
    model = build(layers, weights)
    onnx.save(model, out_path)
    params = sum(k.size + b.size for k, b in weights.values())
    print(f"wrote {out_path}: {params} parameters, input {INPUT_NAME} [N,128,18,1], output {OUTPUT_NAME} [N,6]")


if __name__ == "__main__":
    main()
