"""The demo pack's recipes, one module per family of items.

A recipe renders one item into the path it is given and returns the item's manifest fields;
@recipe (quiz.packs.synth.items) registers it under its key. quiz.packs.synth.build imports
every module here and builds the recipes in its RECIPE_ORDER.
"""
