#!/usr/bin/python3
"""Export PyTorch models as ONNX backend test folders for the model tests.

Writes eight folders into OUTPUT_DIR, one per model and opset:

    resnet18_opset13, resnet18_opset17,
    mobilenet_v2_opset13, mobilenet_v2_opset17,
    squeezenet1_1_opset13, squeezenet1_1_opset17,
    lenet5_opset13, lenet5_opset17

each in the layout of the ONNX backend tests:

    model.onnx
    test_data_set_0/input_0.pb, output_0.pb    batch 1
    test_data_set_1/input_0.pb, output_0.pb    batch 2
    flops.txt                                  FLOPs of a batch-1 run

The torchvision models (resnet18, mobilenet_v2, squeezenet1_1) take
[N, 3, 224, 224]; LeNet-5 takes [N, 1, 32, 32] (the original LeNet-5 input,
no padding). Dimension 0 of the input and the output is the symbolic "N".
The models are exported in eval mode, so PyTorch folds each BatchNorm into
the Conv before it.

Weights are random with a fixed seed per model. torchvision's initialisation
leaves BatchNorm at weight 1, bias 0, mean 0, variance 1 and some biases at
0; with that, MobileNetV2's outputs are about 1e-9 and any absolute
tolerance would pass. So every BatchNorm gets a random weight and bias,
running statistics measured on a random batch and then perturbed, and
every zero bias a random value (see randomise_model). The script fails when
a model's output standard deviation is not between 0.1 and 10.

The reference outputs are PyTorch's, computed in float64 from the float32
weights and inputs and rounded to float32, so they carry almost no rounding
error of their own. The script prints the difference to PyTorch's float32
run for comparison.

flops.txt is the benchmark's FLOP convention counted on the PyTorch
modules, independently of the ONNX graph: 2 FLOPs per multiply-accumulate
of every Conv2d and Linear, nothing for the other layers.

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision,
python3-onnx, python3-numpy). The output is the same on every run of the
same PyTorch version: the seeds are fixed and PyTorch runs on one thread.

Usage: make_models.py [--models NAME,...] OUTPUT_DIR
"""

import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper
from torch import nn

OPSETS = (13, 17)

# The graph input and output names, which the .pb files carry too.
INPUT_NAME = "input"
OUTPUT_NAME = "output"

# The batch sizes of test_data_set_0 and test_data_set_1.
BATCH_SIZES = (1, 2)

# Images in the batch that measures each BatchNorm's running statistics.
CALIBRATION_BATCH = 4

# The accepted range of the output standard deviation.
MIN_OUTPUT_STD = 0.1
MAX_OUTPUT_STD = 10.0


class ModelError(Exception):
    """A model failed a check."""


class LeNet5(nn.Module):
    """LeNet-5 on a [N, 1, 32, 32] image: two 5x5 convolutions without
    padding (6 and 16 channels), each followed by Relu and a 2x2 max pool,
    then dense layers of 120, 84 and 10 units: 32 -> 28 -> 14 -> 10 -> 5,
    so the first dense layer takes 16 * 5 * 5 = 400 features."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def make_lenet5():
    """Return LeNet-5 with He-normal weights (variance 2 / fan_in), which
    keep the activations' variance steady through the Relu layers. PyTorch's
    default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) has a sixth of that
    variance, so the outputs would shrink layer by layer."""
    model = LeNet5()
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
    return model


def make_torchvision(name):
    def build():
        return getattr(torchvision.models, name)(weights=None)
    return build


# (name, builder, input shape without the batch, seed)
MODELS = [
    ("resnet18", make_torchvision("resnet18"), (3, 224, 224), 1801),
    ("mobilenet_v2", make_torchvision("mobilenet_v2"), (3, 224, 224), 1802),
    ("squeezenet1_1", make_torchvision("squeezenet1_1"), (3, 224, 224),
     1803),
    ("lenet5", make_lenet5, (1, 32, 32), 1804),
]


# ---------------------------------------------------------------- weights


def randomise_model(model, input_shape, generator):
    """Give every BatchNorm random parameters and statistics, and every
    all-zero Conv or Linear bias random values, so that the exported
    graph's outputs are of order one and every bias matters.

    1. BatchNorm weight ~ U(1, 3) and bias ~ U(-0.5, 0.5). A weight above 1
       spreads the activations, so that some of MobileNetV2's ReLU6 inputs
       (0.5 to 1 % in each layer with these seeds) exceed the upper bound 6
       and the Clip's max changes the outputs.
    2. The running mean and variance are measured on a random batch in
       training mode (momentum None: the plain average over the batch), so
       that each BatchNorm normalises its input. Without this step
       MobileNetV2's activations shrink layer by layer.
    3. Then the mean moves by N(0, 0.1) standard deviations and the
       variance is scaled by a factor from [0.7, 1.4], so the statistics
       are not exactly those of the batch.
    """
    def uniform(shape, low, high):
        return low + (high - low) * torch.rand(shape, generator=generator)

    batch_norms = [m for m in model.modules()
                   if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)) and \
                    module.bias is not None and \
                    not module.bias.any():
                module.bias.copy_(uniform(module.bias.shape, -0.2, 0.2))
        for bn in batch_norms:
            bn.weight.copy_(uniform(bn.weight.shape, 1.0, 3.0))
            bn.bias.copy_(uniform(bn.bias.shape, -0.5, 0.5))
            bn.reset_running_stats()
            bn.momentum = None

    if batch_norms:
        model.train()
        with torch.no_grad():
            model(torch.randn((CALIBRATION_BATCH,) + input_shape,
                              generator=generator))

    with torch.no_grad():
        for bn in batch_norms:
            std = bn.running_var.sqrt()
            bn.running_mean.add_(
                0.1 * std * torch.randn(std.shape, generator=generator))
            bn.running_var.mul_(uniform(std.shape, 0.7, 1.4))
            bn.momentum = 0.1
    model.eval()


# ---------------------------------------------------------------- export


def export(model, example, path, opset):
    """Export the model in eval mode with dimension 0 symbolic ("N")."""
    torch.onnx.export(
        model, example, path, opset_version=opset,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
        do_constant_folding=True)
    exported = onnx.load(path)
    onnx.checker.check_model(exported)
    for value in list(exported.graph.input) + list(exported.graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        if dim.dim_param != "N":
            raise ModelError(f"{path}: dimension 0 of '{value.name}' is "
                             f"{dim}, expected the symbolic N")
    return exported


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def write_data_set(folder, index, x, y):
    data_set = os.path.join(folder, f"test_data_set_{index}")
    os.makedirs(data_set, exist_ok=True)
    write_tensor(os.path.join(data_set, "input_0.pb"), x, INPUT_NAME)
    write_tensor(os.path.join(data_set, "output_0.pb"), y, OUTPUT_NAME)


def reference_outputs(model, model64, x):
    """Return (float64 run rounded to float32, largest difference of the
    float32 run from the float64 run)."""
    with torch.no_grad():
        y32 = model(torch.from_numpy(x)).numpy()
        y64 = model64(torch.from_numpy(x.astype(np.float64))).numpy()
    return y64.astype(np.float32), float(np.max(np.abs(y32 - y64)))


def count_flops(model, x):
    """Return 2 * the multiply-accumulates of every Conv2d and Linear
    module in one run of the model on x, from the output shapes that
    forward hooks see."""
    macs = []

    def conv_hook(module, inputs, output):
        kernel = module.kernel_size[0] * module.kernel_size[1]
        macs.append(output.numel() * kernel * module.in_channels //
                    module.groups)

    def linear_hook(module, inputs, output):
        macs.append(output.numel() * module.in_features)

    handles = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return 2 * sum(macs)


def make_model(name, build, input_shape, seed, output_dir):
    """Build, randomise and export one model at every opset; write its
    test folders."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build()
    randomise_model(model, input_shape, generator)
    model64 = build().double()
    model64.load_state_dict(model.state_dict())
    model64.eval()

    # Inputs and reference outputs, shared by the opsets.
    data_sets = []
    for batch in BATCH_SIZES:
        x = torch.randn((batch,) + input_shape, generator=generator).numpy()
        y, float32_error = reference_outputs(model, model64, x)
        std = float(y.std())
        print(f"  {name} batch {batch}: output {list(y.shape)}, std "
              f"{std:.3g}, float32 run differs from float64 by at most "
              f"{float32_error:.3g}")
        if not MIN_OUTPUT_STD <= std <= MAX_OUTPUT_STD:
            raise ModelError(f"{name}: output std {std:.3g} at batch {batch}"
                             f" is outside [{MIN_OUTPUT_STD}, "
                             f"{MAX_OUTPUT_STD}]; the randomised weights no "
                             "longer give outputs of order one")
        data_sets.append((x, y))

    example = torch.from_numpy(data_sets[0][0])
    flops = count_flops(model64, example.double())
    for opset in OPSETS:
        start = time.monotonic()
        folder = os.path.join(output_dir, f"{name}_opset{opset}")
        os.makedirs(folder, exist_ok=True)
        export(model, example, os.path.join(folder, "model.onnx"), opset)
        for index, (x, y) in enumerate(data_sets):
            write_data_set(folder, index, x, y)
        with open(os.path.join(folder, "flops.txt"), "w",
                  encoding="utf-8") as f:
            f.write(f"{flops}\n")
        print(f"wrote {folder} ({time.monotonic() - start:.1f} s)",
              flush=True)


def main():
    parser = argparse.ArgumentParser(
        description="Export the PyTorch test models into OUTPUT_DIR.")
    parser.add_argument("output_dir", help="folder to write into")
    parser.add_argument("--models", default=",".join(m[0] for m in MODELS),
                        help="comma-separated model names (default: all: "
                        "%(default)s)")
    args = parser.parse_args()

    known = {m[0]: m for m in MODELS}
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}; known: "
                     f"{', '.join(known)}")

    # One thread: reproducible sums, and no competition for the cores.
    torch.set_num_threads(1)
    os.makedirs(args.output_dir, exist_ok=True)
    try:
        for name in names:
            _, build, input_shape, seed = known[name]
            make_model(name, build, input_shape, seed, args.output_dir)
    except (ModelError, OSError, onnx.checker.ValidationError) as error:
        print(f"make_models.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
