"""Grad-CAM: where a CNN looked when it called an image defective.

The last convolutional feature maps, weighted by the mean gradient of the logit with
respect to each map, summed and rectified, upsampled to the input size and scaled so
the hottest point is 1.0.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from robotest.inspection.networks import SmallCnn


def grad_cam(net: SmallCnn, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Heat maps ``N x S x S`` in [0, 1] and defect probabilities ``N`` for *batch*."""
    net.eval()
    x = torch.from_numpy(batch)
    with torch.enable_grad():
        activations = net.features(x)
        activations.retain_grad()
        logits = net.head(activations.mean(dim=(2, 3))).squeeze(1)
        logits.sum().backward()
    assert activations.grad is not None
    weights = activations.grad.mean(dim=(2, 3), keepdim=True)
    cams = torch.relu((weights * activations).sum(dim=1)).detach().numpy()
    side = batch.shape[-1]
    out = np.zeros((len(batch), side, side), np.float32)
    for i, cam in enumerate(cams):
        up = cv2.resize(cam, (side, side), interpolation=cv2.INTER_LINEAR)
        peak = float(up.max())
        out[i] = up / peak if peak > 0 else up
    net.zero_grad(set_to_none=True)
    return out, torch.sigmoid(logits).detach().numpy()
