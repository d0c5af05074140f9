"""The two networks: a convolutional autoencoder and a small CNN classifier.

Both are small on purpose: they train on two CPU cores in minutes and infer a
512x512 image (downsampled to the working size) in milliseconds on one core.
"""

from __future__ import annotations

import torch
from torch import nn


class ConvAutoencoder(nn.Module):
    """Strided convolutions down to a small code, transposed convolutions back up.

    ``depth`` halvings of the input side; the bottleneck has ``latent`` channels, so
    the code is too small to copy the image and must learn what normal looks like.
    """

    def __init__(self, channels: int = 4, width: int = 16, latent: int = 16, depth: int = 3):
        super().__init__()
        self.args = {"channels": channels, "width": width, "latent": latent, "depth": depth}
        widths = [min(width * 2**i, width * 4) for i in range(depth)]
        encoder: list[nn.Module] = []
        previous = channels
        for w in widths:
            encoder += [nn.Conv2d(previous, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            previous = w
        encoder += [nn.Conv2d(previous, latent, 1)]
        decoder: list[nn.Module] = [nn.Conv2d(latent, previous, 1), nn.LeakyReLU(0.2)]
        for w in reversed([width // 2] + widths[:-1]):
            decoder += [nn.ConvTranspose2d(previous, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            previous = w
        decoder += [nn.Conv2d(previous, channels, 3, padding=1)]
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class SmallCnn(nn.Module):
    """A from-scratch good/defective classifier; ``features`` feeds Grad-CAM."""

    def __init__(self, channels: int = 1, width: int = 16):
        super().__init__()
        self.args = {"channels": channels, "width": width}
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width * 2, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width * 2, width * 4, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width * 4, width * 4, 3, padding=1),
            nn.ReLU(),
        )
        self.head = nn.Linear(width * 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of 'defective', shape (N,)."""
        return self.head(self.features(x).mean(dim=(2, 3))).squeeze(1)
