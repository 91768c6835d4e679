#!/usr/bin/env python3
"""Trains the bundled example: a small CNN on the handwritten digits that
ship with scikit-learn (load_digits: 1797 8x8 images), and exports it.

Writes, next to this script:
  digits.onnx  the float model (opset 13, input "image" [N, 1, 8, 8] in [0, 1],
               output "logits" [N, 10]), dynamic batch
  digits.npz   calib_x / calib_y: 300 training images for calibration,
               test_x / test_y: the 360-image test split,
               test_torch_logits: PyTorch's float outputs on test_x

Run with Debian's python3 (python3-torch, python3-sklearn, python3-onnx):
    /usr/bin/python3 examples/digits/train.py
The committed files came from this script; the demo needs no training.
"""
import os

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261122)
np.random.seed(20261122)


class DigitsNet(nn.Module):
    """conv-BN-ReLU blocks, pooling and a linear classifier."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),                                   # 4x4
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AvgPool2d(2),                                   # 2x2
        )
        self.classifier = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=360, random_state=0, stratify=y)

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(40):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    accuracy = (logits.argmax(1) == y_test).mean()
    print(f"PyTorch float accuracy on the test split: {accuracy * 100:.2f}%")

    torch.onnx.export(
        model, torch.from_numpy(x_test[:1]), os.path.join(HERE, "digits.onnx"),
        opset_version=13, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    np.savez(os.path.join(HERE, "digits.npz"),
             calib_x=x_train[:300], calib_y=y_train[:300],
             test_x=x_test, test_y=y_test, test_torch_logits=logits)


if __name__ == "__main__":
    main()
