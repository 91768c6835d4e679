#!/usr/bin/env python3
"""Trains the deeper example of the mixed-precision work: a ResNet-style CNN
(14 weighted layers, residual blocks in three stages) on scikit-learn's
handwritten digits upsampled to 32x32, and exports it.

Writes, next to this script:
  digits_resnet.onnx  the float model (opset 13, input "image" [N, 1, 32, 32]
                      in [0, 1], output "logits" [N, 10]), dynamic batch
  digits_resnet.npz   calib_x / calib_y: 300 training images for calibration,
                      test_x / test_y: the 360-image test split (the same
                      split as examples/digits), test_torch_logits: PyTorch's
                      float outputs on test_x

Run with Debian's python3 (python3-torch, python3-sklearn, python3-onnx):
    /usr/bin/python3 examples/digits-resnet/train.py
The committed files came from this script; nothing else needs training.
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261123)
np.random.seed(20261123)
torch.set_num_threads(2)


class BasicBlock(nn.Module):
    """ResNet's two 3x3 conv-BN layers with an identity (or 1x1) shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class DigitsResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.layers = nn.Sequential(
            BasicBlock(16, 16, 1), BasicBlock(16, 16, 1),   # 32x32
            BasicBlock(16, 32, 2), BasicBlock(32, 32, 1),   # 16x16
            BasicBlock(32, 64, 2), BasicBlock(64, 64, 1))   # 8x8
        self.classifier = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(self.stem(x))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.classifier(torch.flatten(x, 1))


def upsample(images):
    """8x8 images in [0, 16] to 32x32 in [0, 1] (bilinear)."""
    x = torch.from_numpy((images / 16.0).astype(np.float32))[:, None]
    return F.interpolate(x, size=(32, 32), mode="bilinear",
                         align_corners=False).numpy()


def main():
    digits = load_digits()
    x = upsample(digits.images)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=360, random_state=0, stratify=y)

    model = DigitsResNet()
    epochs = 20
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * ((len(x_train) + 63) // 64))
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            # Random shifts of up to 2 pixels keep the net from memorizing.
            batch = torch.roll(xt[idx], shifts=tuple(
                np.random.randint(-2, 3, size=2)), dims=(2, 3))
            opt.zero_grad()
            loss = F.cross_entropy(model(batch), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    accuracy = (logits.argmax(1) == y_test).mean()
    print(f"PyTorch float accuracy on the test split: {accuracy * 100:.2f}%")

    torch.onnx.export(
        model, torch.from_numpy(x_test[:1]),
        os.path.join(HERE, "digits_resnet.onnx"), opset_version=13,
        input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    np.savez_compressed(os.path.join(HERE, "digits_resnet.npz"),
                        calib_x=x_train[:300], calib_y=y_train[:300],
                        test_x=x_test, test_y=y_test,
                        test_torch_logits=logits)


if __name__ == "__main__":
    main()
