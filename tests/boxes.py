"""Artifact boxes as pixel masks of a delivered demo video frame, for the synthesizer's tests."""

from __future__ import annotations

import numpy as np

from quiz.packs.synth.delivery import VIDEO_SIZE


def box_mask(box: list[float], pad: int = 0) -> np.ndarray:
    """The pixels of a delivered video frame inside `box` (x, y, width, height as shares of
    the frame), grown by `pad` pixels on every side."""
    w, h = VIDEO_SIZE
    x, y, bw, bh = box
    mask = np.zeros((h, w), bool)
    x0, y0 = max(int(x * w) - pad, 0), max(int(y * h) - pad, 0)
    x1, y1 = int(np.ceil((x + bw) * w)) + pad, int(np.ceil((y + bh) * h)) + pad
    mask[y0:y1, x0:x1] = True
    return mask
