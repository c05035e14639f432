#!/usr/bin/python3
"""Classify the MNIST test set with an ONNX model through the onnxmini package.

Each image is scaled to 0..1 (pixel / 255), shaped [1, 1, 28, 28] as
float32, and run on its own, as the model zoo's MNIST models expect. The
program prints the accuracy, the median latency of one session.run() call
and the total time. With --show N it draws the first N digits with their
predicted and true labels into an image file.

Usage: examples/python/mnist.py [--data DIR] [--model FILE] [--limit N]
                                [--show N] [--output FILE] [--isa NAME]
"""

import argparse
import gzip
import os
import statistics
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np

try:
    import onnxmini
except ImportError:
    # Run from a source checkout without installing the package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
    import onnxmini

IMAGES_FILE = "t10k-images-idx3-ubyte"
LABELS_FILE = "t10k-labels-idx1-ubyte"
# IDX magic numbers: element type 0x08 (unsigned byte) and the number of
# dimensions, 3 for images and 1 for labels.
IDX_IMAGES_MAGIC = 0x0803
IDX_LABELS_MAGIC = 0x0801

# Digits 0-9 as 3x5 bitmaps, one string of 15 pixels per digit read row by
# row, for labelling the picture when matplotlib is not installed.
DIGIT_FONT = [
    "111101101101111", "010110010010111", "111001111100111",
    "111001111001111", "101101111001001", "111100111001111",
    "111100111101111", "111001001001001", "111101111101111",
    "111101111001111",
]


def open_idx(directory, name):
    """Open NAME or NAME.gz in directory, preferring the uncompressed file."""
    plain = directory / name
    if plain.is_file():
        return open(plain, "rb")
    compressed = directory / (name + ".gz")
    if compressed.is_file():
        return gzip.open(compressed, "rb")
    raise FileNotFoundError("neither %s nor %s exists" % (plain, compressed))


def read_idx(directory, name, magic):
    """Read an IDX file of unsigned bytes into an array of its shape."""
    with open_idx(directory, name) as stream:
        data = stream.read()
    found, = struct.unpack(">I", data[:4])
    if found != magic:
        raise ValueError("%s: magic number 0x%08x, expected 0x%08x" % (name, found, magic))
    rank = magic & 0xFF
    shape = struct.unpack(">%dI" % rank, data[4:4 + 4 * rank])
    body = data[4 + 4 * rank:]
    count = int(np.prod(shape))
    if len(body) != count:
        raise ValueError("%s: %d bytes of data, expected %d for shape %s"
                         % (name, len(body), count, list(shape)))
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def classify(session, images, labels):
    """Run every image on its own; return the predictions and run() latencies."""
    input_name = session.get_inputs()[0].name
    inputs = (images.astype(np.float32) / 255.0).reshape(-1, 1, 1, 28, 28)
    predictions = np.empty(len(images), dtype=np.int64)
    latencies = []
    for index, image in enumerate(inputs):
        start = time.perf_counter()
        logits = session.run(None, {input_name: image})[0]
        latencies.append(time.perf_counter() - start)
        predictions[index] = int(np.argmax(logits))
    return predictions, latencies


def draw_with_matplotlib(path, images, predictions, labels, columns):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = (len(images) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.4),
                                squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        axis.imshow(images[index], cmap="gray", vmin=0, vmax=255)
        wrong = predictions[index] != labels[index]
        axis.set_title("%d (true %d)" % (predictions[index], labels[index]),
                       fontsize=8, color="red" if wrong else "black")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def draw_digit(canvas, top, left, digit, scale):
    for row in range(5):
        for column in range(3):
            if DIGIT_FONT[digit][row * 3 + column] == "1":
                y = top + row * scale
                x = left + column * scale
                canvas[y:y + scale, x:x + scale] = 255


def render_grid(images, predictions, labels, columns):
    """Return a grey-scale picture: each digit, and below it the predicted
    (left) and true (right) label; a white frame marks a wrong prediction."""
    cell_width, cell_height = 32, 44
    rows = (len(images) + columns - 1) // columns
    canvas = np.zeros((rows * cell_height, columns * cell_width), dtype=np.uint8)
    for index, image in enumerate(images):
        top = (index // columns) * cell_height
        left = (index % columns) * cell_width
        if predictions[index] != labels[index]:
            canvas[top:top + cell_height, left:left + cell_width] = 255
            canvas[top + 1:top + cell_height - 1, left + 1:left + cell_width - 1] = 0
        canvas[top + 2:top + 30, left + 2:left + 30] = image
        draw_digit(canvas, top + 32, left + 6, int(predictions[index]), 2)
        draw_digit(canvas, top + 32, left + 20, int(labels[index]), 2)
    # Three times larger, so that a viewer shows it at a readable size.
    return np.kron(canvas, np.ones((3, 3), dtype=np.uint8))


def write_pgm(path, picture):
    height, width = picture.shape
    with open(path, "wb") as stream:
        stream.write(b"P5\n%d %d\n255\n" % (width, height))
        stream.write(picture.tobytes())


def write_png(path, picture):
    """Write an 8-bit grey-scale PNG with zlib alone (PNG specification,
    ISO/IEC 15948: chunks of length, type, data and CRC-32)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    height, width = picture.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    # Filter type 0 (none) before each row.
    rows = b"".join(b"\x00" + picture[row].tobytes() for row in range(height))
    with open(path, "wb") as stream:
        stream.write(b"\x89PNG\r\n\x1a\n")
        stream.write(chunk(b"IHDR", header))
        stream.write(chunk(b"IDAT", zlib.compress(rows, 9)))
        stream.write(chunk(b"IEND", b""))


def show(path, images, predictions, labels):
    columns = min(len(images), 10)
    try:
        draw_with_matplotlib(path, images, predictions, labels, columns)
        return "matplotlib"
    except ImportError:
        pass
    picture = render_grid(images, predictions, labels, columns)
    if path.suffix.lower() == ".pgm":
        write_pgm(path, picture)
    else:
        write_png(path, picture)
    return ("built-in renderer: under each digit the predicted label (left) "
            "and the true label (right); a frame marks a wrong prediction")


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected an integer of 1 or more, got %s" % text)
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Classify the MNIST test set with onnxmini from Python.")
    parser.add_argument("--data", type=Path, default=os.environ.get("ONNXMINI_DATA_DIR"),
                        help="directory with %s[.gz] and %s[.gz] "
                        "(default: $ONNXMINI_DATA_DIR)" % (IMAGES_FILE, LABELS_FILE))
    parser.add_argument("--model", type=Path,
                        help="ONNX model (default: mnist-12.onnx in the data directory)")
    parser.add_argument("--limit", type=positive_int,
                        help="classify only the first N test images")
    parser.add_argument("--show", type=positive_int, metavar="N",
                        help="draw the first N digits with predicted and true labels")
    parser.add_argument("--output", type=Path, default=Path("mnist-predictions.png"),
                        help="image file for --show, .png or .pgm "
                        "(default: mnist-predictions.png)")
    parser.add_argument("--isa", help="kernel instruction set, such as scalar or avx2")
    arguments = parser.parse_args(argv)
    if arguments.data is None:
        parser.error("no data directory: pass --data DIR or set ONNXMINI_DATA_DIR")
    arguments.data = Path(arguments.data)
    if arguments.model is None:
        arguments.model = arguments.data / "mnist-12.onnx"
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv)
    try:
        images = read_idx(arguments.data, IMAGES_FILE, IDX_IMAGES_MAGIC)
        labels = read_idx(arguments.data, LABELS_FILE, IDX_LABELS_MAGIC)
    except (OSError, ValueError) as error:
        print("mnist.py: cannot read the MNIST test set: %s" % error, file=sys.stderr)
        return 1
    if len(images) != len(labels):
        print("mnist.py: %d images but %d labels" % (len(images), len(labels)),
              file=sys.stderr)
        return 1
    if arguments.limit is not None:
        images = images[:arguments.limit]
        labels = labels[:arguments.limit]

    try:
        session = onnxmini.InferenceSession(str(arguments.model), isa=arguments.isa)
        start = time.perf_counter()
        predictions, latencies = classify(session, images, labels)
        total = time.perf_counter() - start
    except onnxmini.OnnxMiniError as error:
        print("mnist.py: %s" % error, file=sys.stderr)
        return 1

    correct = int(np.sum(predictions == labels))
    print("model       %s (isa %s)" % (arguments.model, session.isa))
    print("library     %s, onnxmini %s" % (onnxmini.library_path(), onnxmini.__version__))
    print("accuracy    %d/%d correct (%.2f %%)"
          % (correct, len(labels), 100.0 * correct / len(labels)))
    print("latency     median %.1f us per session.run() (batch 1)"
          % (statistics.median(latencies) * 1e6))
    print("total       %.3f s for %d images, preprocessing included (%.0f images/s)"
          % (total, len(labels), len(labels) / total))

    if arguments.show:
        count = min(arguments.show, len(images))
        try:
            renderer = show(arguments.output, images[:count], predictions[:count],
                            labels[:count])
        except OSError as error:
            print("mnist.py: cannot write %s: %s" % (arguments.output, error), file=sys.stderr)
            return 1
        print("wrote       %s (%d digits; %s)" % (arguments.output, count, renderer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
