#!/usr/bin/python3
"""Copy an ONNX backend test folder with one node of its model changed, so
that the model no longer computes the reference outputs.

Mutations:

    conv-bias   drop the bias input of the middle Conv that has one
    clip-max    drop the max input of the middle Clip that has one (the
                input form of opset 11 and later), so that the Clip only
                bounds from below

The test data sets are copied unchanged. The script prints the node it
changed. A test folder whose model lacks such a node is an error.

Run with Debian's /usr/bin/python3 (python3-onnx).

Usage: mutate_model.py MUTATION SOURCE_DIR DEST_DIR
"""

import argparse
import os
import shutil
import sys

import onnx


class MutationError(Exception):
    """The model has no node that the mutation applies to."""


def drop_input(model, op_type, index, input_label):
    """Remove input `index` of the middle node of type op_type that has a
    non-empty input there. Return a description of the change."""
    candidates = [node for node in model.graph.node
                  if node.op_type == op_type and len(node.input) > index
                  and node.input[index]]
    if not candidates:
        raise MutationError(f"the model has no {op_type} with "
                            f"{input_label} (input {index})")
    node = candidates[len(candidates) // 2]
    removed = node.input[index]
    del node.input[index:]
    return f"{op_type} '{node.name}': dropped {input_label} '{removed}'"


MUTATIONS = {
    "conv-bias": lambda model: drop_input(model, "Conv", 2, "bias B"),
    "clip-max": lambda model: drop_input(model, "Clip", 2, "max"),
}


def main():
    parser = argparse.ArgumentParser(
        description="Copy a test folder with one node of its model changed.")
    parser.add_argument("mutation", choices=sorted(MUTATIONS))
    parser.add_argument("source", help="test folder with model.onnx")
    parser.add_argument("dest", help="folder to create")
    args = parser.parse_args()

    try:
        model = onnx.load(os.path.join(args.source, "model.onnx"))
        change = MUTATIONS[args.mutation](model)
        onnx.checker.check_model(model)
        shutil.copytree(args.source, args.dest,
                        ignore=shutil.ignore_patterns("model.onnx"))
        onnx.save(model, os.path.join(args.dest, "model.onnx"))
    except (MutationError, OSError, onnx.checker.ValidationError) as error:
        print(f"mutate_model.py: {args.source}: {error}", file=sys.stderr)
        return 1
    print(f"{args.dest}: {change}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
