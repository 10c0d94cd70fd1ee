"""The synthesizer's motion item (street_walker, demo-street-legs-glide): in the pavement pan the
passer-by's legs stop mid-stride while they keep going, gliding out of the picture to the
right. Before the freeze the footage is untouched; while the legs glide they keep the frozen
frame's shape (the legs as shot change from frame to frame), they move at the passer-by's
pace, the passer-by as shot is gone from where the legs are not, and the near bollard stays in
front.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from quiz.packs.synth.recipes import footage_edits as fe
from quiz.packs.synth.recipes import street_walker as sw


@pytest.fixture(scope="module")
def frames():
    return [f for _, f in sw.legs_glide_frames()], [f for _, f in fe.segment_frames()]


def _legs_at(i: int) -> np.ndarray:
    """Where the gliding legs cover frame i well (bool), outside the bollard."""
    _, cover = sw._legs_at(i)
    return (cover > 0.9) & (sw._bollard(i) < 0.05)


def test_nothing_changes_before_the_freeze_or_after_the_glide(frames):
    edited, source = frames
    gliding = set(sw._gliding())
    freeze = sw._index(sw._FREEZE)
    assert min(gliding) == freeze + 1
    # The glide lasts long enough to be seen at normal speed (over half a second).
    assert len(gliding) >= 13, len(gliding)
    for i, (a, b) in enumerate(zip(edited, source, strict=True)):
        if i not in gliding:
            assert np.array_equal(a, b), i


def test_the_legs_keep_the_frozen_frames_shape_while_they_glide(frames):
    """Moved back by how far they have glided, the legs match the frozen frame; the legs as
    shot, compared the same way, do not (they step)."""
    edited, source = frames
    freeze = sw._index(sw._FREEZE)
    still = source[freeze].astype(np.float32)
    for i in sw._gliding():
        on = _legs_at(i)
        if on[:, sw._VISIBLE[0] : sw._VISIBLE[1]].sum() < 2000:
            continue  # mostly out of the picture or behind the bollard
        back = sw._glide(i)
        glided = ndimage.shift(edited[i].astype(np.float32), (0, -back, 0), order=1)
        as_shot = ndimage.shift(source[i].astype(np.float32), (0, -back, 0), order=1)
        where = ndimage.shift(on.astype(np.float32), (0, -back), order=0) > 0.5
        frozen = np.abs(glided - still).max(axis=2)[where].mean()
        stepping = np.abs(as_shot - still).max(axis=2)[where].mean()
        assert frozen < 6.0, (i, frozen)
        assert stepping > 3 * frozen + 10, (i, stepping, frozen)


def test_the_legs_glide_at_the_passer_bys_pace():
    """The glide's speed is the pace the passer-by walks at as shot, give or take a third (the
    centre of their outline, from a few frames before the freeze to a third of a second after
    it, while both legs are in the picture)."""
    freeze = sw._index(sw._FREEZE)
    around = range(freeze - 4, freeze + 9)
    centres = [ndimage.center_of_mass(sw._passer_by(i))[1] for i in around]
    pace = (centres[-1] - centres[0]) / (len(centres) - 1)
    assert 2 / 3 * pace <= sw._GLIDE_PX <= 4 / 3 * pace, pace


def test_the_passer_by_as_shot_is_gone_and_the_bollard_stays_in_front(frames):
    edited, source = frames
    for i in sw._gliding():
        shot = sw._passer_by(i) & ~ndimage.binary_dilation(_legs_at(i), iterations=8)
        shot &= sw._bollard(i) < 0.05
        shot[:, : sw._VISIBLE[0]] = False
        shot[:, sw._VISIBLE[1] :] = False
        if shot.sum() < 500:
            continue
        # Where only the passer-by as shot was, the edit shows the street without them.
        street = sw._street(i)
        left = np.abs(edited[i].astype(np.float32) - street).max(axis=2)[shot].mean()
        was = np.abs(source[i].astype(np.float32) - street).max(axis=2)[shot].mean()
        assert left < 12.0 and was > 3 * left, (i, left, was)
        # The bollard is in front: inside its outline the frame is as shot (its soft edge lets
        # a hundredth of the layers behind through, a level or two at most).
        front = sw._bollard(i) > 0.99
        assert np.abs(edited[i][front].astype(np.int16) - source[i][front]).max() <= 3, i
