#!/usr/bin/python3
"""Offline model zoo for dli, built with Debian's torch/torchvision (no internet, no pretrained weights).

Makes, in --out (default <repo>/models):
  mobilenet_v2.onnx / .pt, resnet50.onnx / .pt  random weights, ImageNet-shaped (N x 3 x 224 x 224 -> N x 1000)
  mobilenet_v2_ref.json, resnet50_ref.json      torch's output for a batch-2 input given by a formula (see ref_input)
  digits_cnn.onnx / .pt                          a small CNN trained on sklearn's labelled 8x8 digits (N x 1 x 8 x 8)
  digits_test.csv                                its held-out split: 64 pixels scaled to [0, 1] (value / 16), label last
  digits_test/                                   the same samples as a dataset folder: labels.txt and 8x8 P5 images,
                                                 maxval 16 (docs/datasets.md)
  digits_ref.json                                a few held-out inputs with torch's logits, and its held-out accuracy

Files that exist are kept unless --force (a group made together is remade whole if one of its files is missing).
Seeds are fixed, so a rebuild gives the same weights and the same ONNX files byte for byte (TorchScript archives also
record this script's line numbers). Run it with Debian's /usr/bin/python3, which has torch; takes ~15 s on 2 cores.

Choices forced by OpenCV DNN 4.6 (checked on Debian 12):
  * BatchNorm scale/shift are randomised and running statistics measured on random images: freshly initialised BN
    layers are identical, and the exporter folds them into Identity nodes that OpenCV 4.6 rejects.
  * ONNX opset 10: at opset 11 ReLU6 becomes a Clip with tensor min/max that OpenCV 4.6 rejects.
  * The batch axis is dynamic ("batch"). torchvision's models flatten with torch.flatten, exported as a Flatten node
    (no Shape/Reshape arithmetic tied to the export batch), so OpenCV runs any batch; the batch-2 reference outputs
    let tests/unit/test_launcher_opencv.cpp prove it on real numbers (OpenCV agrees with torch to ~1e-5).
"""
import argparse
import gzip
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

OPSET = 10
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def ref_input(batch, shape):
    """Input the C++ tests can rebuild without reading a big file: x[i] = ((i * 7919) % 1000) / 1000, flat NCHW."""
    count = batch * int(np.prod(shape))
    index = np.arange(count, dtype=np.int64)
    return torch.from_numpy((((index * 7919) % 1000) / 1000.0).astype(np.float32).reshape((batch,) + tuple(shape)))


def randomise_batchnorm(model, generator):
    """Distinct BN layers with realistic statistics.

    Scale and shift are drawn at random (fresh layers are all alike, and the exporter would fold them into
    Identity nodes). Running mean and variance are then measured on one batch of random images, as a trained
    network's would be: without that the activations of a random deep net drift until its output no longer depends
    on its input, which would hide a framework mixing up the images of a batch.
    """
    layers = [module for module in model.modules() if isinstance(module, nn.BatchNorm2d)]
    with torch.no_grad():
        for layer in layers:
            n = layer.num_features
            layer.weight.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
            layer.bias.copy_(torch.randn(n, generator=generator) * 0.05)
            layer.reset_running_stats()
            layer.momentum = None  # cumulative average: after one batch, exactly that batch's statistics
        model.train()
        model(torch.rand(8, 3, 224, 224, generator=generator))
        model.eval()
        for layer in layers:
            layer.momentum = 0.1


def export_onnx(model, example, path):
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)


def export_torchscript(model, example, path):
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(model, example))
    frozen.save(path)


def size_of(path):
    """Bytes of a file, or of all the files in a folder."""
    if not os.path.isdir(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(folder, f)) for folder, _, files in os.walk(path) for f in files)


def write_json(path, document):
    with open(path, "w") as out:
        json.dump(document, out)


class Zoo:
    def __init__(self, out_dir, force):
        self.out_dir = out_dir
        self.force = force
        self.made, self.kept = [], []

    def path(self, name):
        return os.path.join(self.out_dir, name)

    def needed(self, *names):
        """Whether a group of files made together must be (re)made: one missing remakes the group."""
        if self.force or not all(os.path.exists(self.path(n)) for n in names):
            return True
        self.kept += list(names)
        return False

    def done(self, *names):
        self.made += list(names)


def make_imagenet_model(zoo, name, factory, seed):
    files = (name + ".onnx", name + ".pt", name + "_ref.json")
    if not zoo.needed(*files):
        return
    torch.manual_seed(seed)
    model = factory(weights=None)
    randomise_batchnorm(model, torch.Generator().manual_seed(seed))
    example = torch.zeros(1, 3, 224, 224)
    export_onnx(model, example, zoo.path(files[0]))
    export_torchscript(model, example, zoo.path(files[1]))
    batch_input = ref_input(2, (3, 224, 224))
    with torch.no_grad():
        output = model(batch_input)
    write_json(zoo.path(files[2]), {
        "input": "x[i] = ((i * 7919) % 1000) / 1000 over the flat NCHW tensor",
        "batch": 2, "input_shape": [3, 224, 224],
        "output_shape": list(output.shape), "output": output.flatten().tolist(),
    })
    zoo.done(*files)


class DigitsCnn(nn.Module):
    """Two 3x3 convolutions, a 2x2 max-pool and two dense layers: ~38k parameters, ~99% on held-out digits in ~4 s."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def load_digits():
    with gzip.open(DIGITS_CSV, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.float32)
    pixels = table[:, :64] / 16.0  # sklearn's digits are 0..16 intensities
    labels = table[:, 64].astype(np.int64)
    return pixels, labels


def accuracy(model, pixels, labels):
    with torch.no_grad():
        predicted = model(torch.from_numpy(pixels).reshape(-1, 1, 8, 8)).argmax(1).numpy()
    return float((predicted == labels).mean())


def digits_split(labels, seed):
    """Stratified: a fifth of each digit held out, so the test set is balanced like the data.

    Returns (held-out indices in file order, training indices). Depends only on the labels and the seed, so the
    held-out folder can be (re)written without retraining and still hold exactly the rows of digits_test.csv.
    """
    rng = np.random.RandomState(seed)
    test_idx, train_idx = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_idx += list(members[:len(members) // 5])
        train_idx += list(members[len(members) // 5:])
    return np.array(sorted(test_idx)), np.array(train_idx)


def make_digits(zoo, seed=7):
    files = ("digits_cnn.onnx", "digits_cnn.pt", "digits_test.csv", "digits_ref.json")
    if not zoo.needed(*files):
        return
    pixels, labels = load_digits()
    test_idx, train_idx = digits_split(labels, seed)
    held_out = len(test_idx)

    torch.manual_seed(seed)
    model = DigitsCnn()
    epochs = 30
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, epochs)
    x_train = torch.from_numpy(pixels[train_idx]).reshape(-1, 1, 8, 8)
    y_train = torch.from_numpy(labels[train_idx])
    shuffle = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(y_train), generator=shuffle).split(64):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimiser.step()
        schedule.step()
    model.eval()
    test_accuracy = accuracy(model, pixels[test_idx], labels[test_idx])
    if test_accuracy < 0.97:
        sys.exit("digits_cnn reached only %.3f held-out accuracy" % test_accuracy)

    example = torch.zeros(1, 1, 8, 8)
    export_onnx(model, example, zoo.path(files[0]))
    export_torchscript(model, example, zoo.path(files[1]))
    with open(zoo.path(files[2]), "w") as out:
        for row, label in zip(pixels[test_idx], labels[test_idx]):
            out.write(",".join("%g" % v for v in row) + ",%d\n" % label)
    sample = pixels[test_idx[:8]]
    with torch.no_grad():
        logits = model(torch.from_numpy(sample).reshape(-1, 1, 8, 8))
    write_json(zoo.path(files[3]), {
        "input_shape": [1, 8, 8], "test_rows": int(held_out), "test_accuracy": test_accuracy,
        "inputs": sample.tolist(), "labels": labels[test_idx[:8]].tolist(), "outputs": logits.tolist(),
    })
    print("digits_cnn: held-out accuracy %.4f on %d images" % (test_accuracy, held_out))
    zoo.done(*files)


def make_digits_folder(zoo, seed=7):
    """digits_test/: the held-out split of digits_test.csv as a dataset folder (docs/datasets.md).

    One 8x8 P5 image a sample with maxval 16, sklearn's own 0..16 intensities, so a reader's pixel / maxval is
    exactly the CSV's value / 16. Written beside and renamed into place, so an interrupted run leaves no partial
    folder that a later run would keep.
    """
    name = "digits_test"
    if not zoo.needed(name):
        return
    pixels, labels = load_digits()
    test_idx, _ = digits_split(labels, seed)
    intensities = np.rint(pixels[test_idx] * 16).astype(np.uint8)
    assert np.array_equal(intensities.astype(np.float32) / 16, pixels[test_idx]), "digits are not 0..16 integers"
    final, partial = zoo.path(name), zoo.path(name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    width = len(str(len(test_idx) - 1))
    with open(os.path.join(partial, "labels.txt"), "w") as listing:
        listing.write("# sklearn digits, held-out split (the rows of digits_test.csv, in order): <file> <label>\n")
        for n, (image, label) in enumerate(zip(intensities, labels[test_idx])):
            file_name = "digit_%0*d.pgm" % (width, n)
            with open(os.path.join(partial, file_name), "wb") as out:
                out.write(b"P5\n8 8\n16\n" + image.tobytes())
            listing.write("%s %d\n" % (file_name, label))
    shutil.rmtree(final, ignore_errors=True)
    os.rename(partial, final)
    zoo.done(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(REPO, "models"), help="output folder (default: <repo>/models)")
    parser.add_argument("--force", action="store_true", help="rebuild files that already exist")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    zoo = Zoo(args.out, args.force)
    start = time.monotonic()
    torch.set_num_threads(1)  # small work; one thread keeps training bit-for-bit repeatable
    make_digits(zoo)
    make_digits_folder(zoo)
    torch.set_num_threads(os.cpu_count() or 1)  # Debian's torch defaults to one thread: 5x slower exports
    make_imagenet_model(zoo, "mobilenet_v2", torchvision.models.mobilenet_v2, seed=1)
    make_imagenet_model(zoo, "resnet50", torchvision.models.resnet50, seed=2)
    for name in zoo.made:
        print("made %-24s %9d bytes" % (name, size_of(zoo.path(name))))
    if zoo.kept:
        print("kept (already there; --force rebuilds): " + ", ".join(zoo.kept))
    print("models in %s (%.1f s)" % (os.path.abspath(args.out), time.monotonic() - start))


if __name__ == "__main__":
    main()
