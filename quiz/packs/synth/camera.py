"""Camera moves over photographs: slow pans and push-ins, the documentary edit that turns a still
photograph into a clip (a View is a crop, a Move eases from one View to another).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from quiz.packs.synth.toolkit import Frames, smoothstep, timeline, union


@dataclass(frozen=True)
class View:
    """A crop of a source photo: centre and width in source pixels (height from aspect)."""

    cx: float
    cy: float
    w: float


@dataclass(frozen=True)
class Move:
    start: View
    end: View
    width: int  # output size
    height: int
    duration: float

    def view(self, t: float) -> View:
        k = float(smoothstep(0.0, self.duration, t))  # ease in and out, like a real edit
        a, b = self.start, self.end
        # Interpolate the zoom geometrically so the apparent speed stays even.
        w = a.w * (b.w / a.w) ** k
        return View(a.cx + (b.cx - a.cx) * k, a.cy + (b.cy - a.cy) * k, w)

    def render(self, photo: Image.Image, t: float) -> np.ndarray:
        v = self.view(t)
        h = v.w * self.height / self.width
        x0, y0 = v.cx - v.w / 2, v.cy - h / 2
        # A move must never reveal an empty border (and `rect` assumes no clamping).
        if x0 < -0.5 or y0 < -0.5 or x0 + v.w > photo.width + 0.5 or y0 + h > photo.height + 0.5:
            raise ValueError(f"view {v} leaves the {photo.width}x{photo.height} photo")
        x0 = min(max(x0, 0.0), photo.width - v.w)  # absorb rounding at the edges
        y0 = min(max(y0, 0.0), photo.height - h)
        # resize() with a sub-pixel box filters properly when shrinking (no shimmering
        # aliasing on fine detail) and is faster than an affine transform.
        out = photo.resize(
            (self.width, self.height), Image.Resampling.BICUBIC, box=(x0, y0, x0 + v.w, y0 + h)
        )
        return np.asarray(out)

    def rect(self, t: float, x0: float, y0: float, x1: float, y1: float) -> tuple:
        """Where a source rectangle appears in the output frame at time t."""
        v = self.view(t)
        scale = v.w / self.width
        left, top = v.cx - v.w / 2, v.cy - scale * self.height / 2
        return ((x0 - left) / scale, (y0 - top) / scale, (x1 - left) / scale, (y1 - top) / scale)

    def union(self, start: float, end: float, rect: tuple) -> tuple:
        return union(self.rect(t, *rect) for t in np.linspace(start, end, 16))

    def frames(self, photo: Image.Image) -> Frames:
        for t in timeline(self.duration):
            yield t, self.render(photo, t)
