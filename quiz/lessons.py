"""The text of the lessons, one per giveaway category of quiz.categories (ARTIFACTS.md): what
generators get wrong, why they do, and what real footage does that looks alike. Written for
13- to 18-year-olds; translated through the catalogue like every other string.

The worked examples are not here: they are chosen from the library's own annotated clips
(quiz.selectors.learn), so a lesson teaches with what the school's library holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from quiz import categories


@dataclass(frozen=True)
class Lesson:
    code: str  # a tell category of quiz.categories
    wrong: Promise  # what generators get wrong
    why: Promise  # why they get it wrong
    lookalike: Promise  # what real footage does that looks alike
    # The decoy categories (real camera effects) that look most like this giveaway: a real
    # clip annotated with one of them is the lesson's real decoy, and comes first for the
    # check's real rounds.
    decoys: tuple[str, ...]

    @property
    def category(self) -> categories.Category:
        return categories.BY_CODE[self.code]

    @property
    def check_title(self) -> str:
        return CHECK_TITLES[self.code]


# The titles lesson checks are stored under: message ids, so that pages listing quizzes show
# them translated ({% translate quiz.title %}), as they do the demo quiz's.
CHECK_TITLES = {
    "anatomy": gettext_noop("Lesson: Bodies and anatomy"),
    "count": gettext_noop("Lesson: Objects appear, vanish or multiply"),
    "physics": gettext_noop("Lesson: Physics and solidity"),
    "causality": gettext_noop("Lesson: Cause without effect"),
    "motion": gettext_noop("Lesson: Impossible motion"),
    "morphing": gettext_noop("Lesson: Morphing and warping"),
    "text": gettext_noop("Lesson: Text, signs and symbols"),
    "lighting": gettext_noop("Lesson: Light, shadows, reflections"),
    "geometry": gettext_noop("Lesson: Space and perspective"),
    "compositing": gettext_noop("Lesson: Pasted-together look"),
    "temporal": gettext_noop("Lesson: Flicker and popping"),
    "provenance": gettext_noop("Lesson: Provenance signals"),
}


LESSONS: dict[str, Lesson] = {
    lesson.code: lesson
    for lesson in [
        Lesson(
            "anatomy",
            _(
                "Generated people and animals sometimes get an extra finger, a third paw, teeth "
                "that merge into one, or a face that melts at the edges when it turns."
            ),
            _(
                "A generator has no idea what a body is. It has seen millions of pictures of "
                "hands and paws and copies what they usually look like, but it never counts "
                "fingers or checks that a leg is still attached."
            ),
            _(
                "Real bodies look odd too: fast movement smears hands into a blur, a wide lens "
                "stretches faces near the edge of the picture, and beauty filters smooth skin "
                "and reshape faces. Count and follow the body part over several frames before "
                "you decide."
            ),
            ("motion_blur", "lens", "filter"),
        ),
        Lesson(
            "count",
            _(
                "Things appear out of nowhere, vanish, or multiply: three puppies become four, "
                "a chair grows out of the sand, a car is gone after someone walks past it."
            ),
            _(
                "A generator makes a video a few frames at a time and only roughly remembers "
                "what was there before. When something is hidden for a moment, it may come "
                "back twice, differently, or not at all."
            ),
            _(
                "In real video, things also come into view: they walk in from the edge of the "
                "picture, come out from behind something, or appear after a cut. Ask where the "
                "thing came from: a real object always has a path."
            ),
            ("editing", "motion_blur"),
        ),
        Lesson(
            "physics",
            _(
                "Gravity points the wrong way (snow rising, water flowing uphill) or solid "
                "things pass through each other, like a leg going through a table."
            ),
            _(
                "A generator copies how things usually look, not the rules behind them. It has "
                "no sense of weight or of what is solid, so it happily lets objects overlap."
            ),
            _(
                "Wind blows snow upwards, video played backwards or slowed down looks strange, "
                "and a fast camera pan can bend straight things (rolling shutter). Look for a "
                "clear cause before you call it impossible."
            ),
            ("editing", "rolling_shutter"),
        ),
        Lesson(
            "causality",
            _(
                "Something happens, but its effect is missing or wrong: a bite leaves no bite "
                "mark, a glass breaks without shards, footsteps in snow leave no prints."
            ),
            _(
                "A generator does not follow cause and effect. It draws each moment so that it "
                "looks believable on its own, and the next moment does not have to agree."
            ),
            _(
                "In real clips the effect can happen out of the picture or between two cuts, so "
                "it seems to be missing. Check whether the video was cut right at that moment."
            ),
            ("editing",),
        ),
        Lesson(
            "motion",
            _(
                "Movement that the body could not make: someone runs backwards on a treadmill, "
                "feet slide over the ground, legs move out of step with the walk."
            ),
            _(
                "A generator learns what moving things look like, not how muscles and joints "
                "push against the ground, so the body and its movement can drift apart."
            ),
            _(
                "Real video plays tricks too: slow motion, speeded-up clips, motion blur and "
                "wheels that seem to turn backwards. Watch the feet: on real ground they stay "
                "put while they carry the weight."
            ),
            ("motion_blur", "editing"),
        ),
        Lesson(
            "morphing",
            _(
                "Shapes, faces or patterns slowly change while you watch: a face becomes "
                "someone else's, a wall bends, a logo melts into a new one."
            ),
            _(
                "A generator redraws every frame and keeps only a rough memory of the last one. "
                "Small changes add up, so things drift, especially when the camera moves."
            ),
            _(
                "Real footage can bend as well: a fast pan makes straight lines lean (rolling "
                "shutter), heat makes the air shimmer, and a wide lens curves lines near the "
                "edge. Those effects bend a whole band of the picture in the same way; "
                "morphing changes one thing on its own."
            ),
            ("rolling_shutter", "lens", "compression", "filter"),
        ),
        Lesson(
            "text",
            _(
                "Letters that are not real words, signs whose letters change from frame to "
                "frame, clocks with too many hands or numbers in the wrong order."
            ),
            _(
                "To a generator, writing is just a pattern of shapes. It knows what text looks "
                "like but cannot spell, and it does not keep the same letters from frame to "
                "frame."
            ),
            _(
                "Real writing can be hard to read too: blurred by movement, blocky from "
                "compression, or seen at a steep angle. But real letters stay the same letters "
                "all the way through the clip."
            ),
            ("compression", "motion_blur", "lens"),
        ),
        Lesson(
            "lighting",
            _(
                "Shadows fall in different directions, a reflection does not match what is in "
                "front of the mirror or window, or a face is lit from a side with no light."
            ),
            _(
                "A generator paints light and shadow where they usually go, without working "
                "out where the light actually comes from in this scene."
            ),
            _(
                "Real scenes often have several lights, so shadows can point different ways; "
                "lenses add flares and dark corners, and low light adds grain. Find the main "
                "light first, then check the shadows it makes."
            ),
            ("lens", "noise"),
        ),
        Lesson(
            "geometry",
            _(
                "Buildings and rooms that could not exist, stairs that lead nowhere, things "
                "that move wrongly for how far away they are, or a camera path that does not "
                "follow the prompt."
            ),
            _(
                "A generator does not build a 3D world: it paints what each view usually looks "
                "like, so the pieces do not have to fit together when the camera moves."
            ),
            _(
                "Wide and fisheye lenses bend straight lines, mirrors double rooms, and a fast "
                "pan can lean buildings over. Those distortions follow the lens or the camera; "
                "impossible geometry stays wrong from every angle."
            ),
            ("lens", "rolling_shutter"),
        ),
        Lesson(
            "compositing",
            _(
                "The subject looks cut out and pasted on: lit from a different side than the "
                "background, the wrong size for the distance, or with a halo around its edges."
            ),
            _(
                "A generator often makes the main subject and the background as separate "
                "ideas and does not blend the light, the size and the sharpness between them."
            ),
            _(
                "Real people stand out from the background too: studio lights, flash, green "
                "screens and app filters all do it. Check whether the light on the subject "
                "could come from something in the scene."
            ),
            ("filter", "lens", "editing"),
        ),
        Lesson(
            "temporal",
            _(
                "Fine detail flickers or boils: hair, grass, water or skin texture looks "
                "different in every frame, and small objects pop in and out."
            ),
            _(
                "A generator redraws fine detail again and again and cannot keep it exactly "
                "the same, so textures seem to re-roll from frame to frame."
            ),
            _(
                "Real video shimmers too: heat haze, the blocks of a low-quality video at "
                "every new keyframe, grain in dark scenes and moiré on fine patterns. Those "
                "flicker the same way across the whole picture."
            ),
            ("compression", "noise"),
        ),
        Lesson(
            "provenance",
            _(
                "Some files say where they come from: a visible watermark of a generator, or a "
                "Content Credential (C2PA) that names the app that made the clip."
            ),
            _(
                "Companies that make generators add watermarks and credentials on purpose. But "
                "a watermark is easy to crop out, blur or paste on, and most apps and "
                "platforms strip the credential when a file is shared."
            ),
            _(
                "Most real files carry no credential at all, and edited or re-posted real clips "
                "lose theirs. So a missing credential proves nothing; a valid one from a known "
                "camera or newsroom is good evidence, and a broken one means the file was "
                "changed."
            ),
            ("editing", "filter"),
        ),
    ]
}

assert set(LESSONS) == set(CHECK_TITLES) == categories.TELL_CODES
