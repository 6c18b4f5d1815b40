"""A PyTorch model exported to ONNX, for `edgec build model.onnx`.

A small CNN in PyTorch's own layout (NCHW) learns which of four regions an RGB 16x16
patch comes from: the top or bottom half of either photo scikit-learn ships
(`load_sample_images`: a temple in China, a flower; real data, no download). It is
exported with PyTorch's dynamo ONNX exporter (dynamic batch), and the calibration and
validation patches are written in NCHW, as PyTorch users have them:

    model.onnx         the exported model (input "image", float pixels 0..255, NCHW)
    calibration.npz    x: 256 training patches (N, 3, 16, 16) uint8, y: region 0..3
    validation.npz     x: 512 held-out patches, y

PyTorch is not an edgec dependency; run this in an environment that has it:

    python3 -m venv .venv-torch
    .venv-torch/bin/pip install torch==2.13.0 onnxscript==0.7.2 onnx==1.23.2 \
        scikit-learn==1.9.1 pillow==13.0.0
    .venv-torch/bin/python examples/pytorch_patches/export.py

then build it with edgec (its own .venv):

    .venv/bin/edgec build examples/pytorch_patches/model.onnx --target stm32 \\
        --calibration examples/pytorch_patches/calibration.npz \\
        --validation examples/pytorch_patches/validation.npz -o build/patches
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_sample_images
from torch import nn

HERE = Path(__file__).parent
SEED = 7
PATCH = 16


def patches(per_region: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random PATCH x PATCH crops, `per_region` from each of the 4 regions, NCHW uint8."""
    xs, ys = [], []
    for i, image in enumerate(load_sample_images().images):  # (427, 640, 3) uint8 each
        half = image.shape[0] // 2
        for j, region in enumerate((image[:half], image[half:])):
            rows = rng.integers(0, region.shape[0] - PATCH, per_region)
            cols = rng.integers(0, region.shape[1] - PATCH, per_region)
            for r, c in zip(rows, cols):
                xs.append(region[r:r + PATCH, c:c + PATCH].transpose(2, 0, 1))  # HWC -> CHW
                ys.append(2 * i + j)
    order = rng.permutation(len(xs))
    return np.stack(xs)[order], np.array(ys, dtype=np.int64)[order]


class PatchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(16 * 4 * 4, 4)

    def forward(self, image):
        h = self.features(image * (1.0 / 255.0))  # takes pixels 0..255
        return self.classifier(torch.flatten(h, 1))


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int = 15) -> None:
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for batch in torch.randperm(len(xt)).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xt[batch]), yt[batch]).backward()
            optimizer.step()


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        predicted = model(torch.tensor(x, dtype=torch.float32)).argmax(dim=1).numpy()
    return 100.0 * float(np.mean(predicted == y))


def main() -> None:
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = patches(600, rng)
    x_val, y_val = patches(128, rng)
    model = PatchNet()
    train(model, x_train, y_train)
    model.eval()
    print(f"float accuracy on {len(x_val)} held-out patches: {accuracy(model, x_val, y_val):.1f} %")
    example = (torch.zeros(1, 3, PATCH, PATCH),)
    batch = torch.export.Dim("batch")
    program = torch.onnx.export(model, example, dynamo=True, input_names=["image"],
                                output_names=["logits"], dynamic_shapes=({0: batch},))
    program.save(str(HERE / "model.onnx"))
    np.savez_compressed(HERE / "calibration.npz", x=x_train[:256], y=y_train[:256])
    np.savez_compressed(HERE / "validation.npz", x=x_val, y=y_val)
    print(f"wrote {HERE / 'model.onnx'}, calibration.npz, validation.npz")


if __name__ == "__main__":
    main()
