"""The makers a page names in the reader's language (quiz.templatetags.secondlook.made_by):
every real clip's "camera", and the demo pack's own synthesizer (quiz.packs.synth). Here, not in
the synthesizer's modules, so that pages need not import it."""

GENERATOR_CAMERA = "camera"
GENERATOR_SYNTH = "Second Look synthesizer"
