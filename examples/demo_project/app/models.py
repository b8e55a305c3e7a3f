"""A tiny classifier, written for the pylint-torch demo."""
import torch
from torch import nn


class Backbone(nn.Module):
    def __init__(self, width: int = 16):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, width), nn.ReLU())

    def forward(self, x):
        return self.body(x)


class Classifier(Backbone):
    def __init__(self, classes: int = 3):
        super().__init__()
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        return self.head(super().forward(x))

    def snapshot(self, path):
        # Pickles the whole object: loading it later needs weights_only=False.
        torch.save(self, path)
