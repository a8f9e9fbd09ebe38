"""Run by `blender --python`: starts the Blender Lab add-on in this Blender."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bpy  # noqa: E402

import blender_lab  # noqa: E402

bpy.context.preferences.view.show_splash = False
# The viewport is drawn in software (llvmpipe). Blender's default accumulates 8 anti-aliasing
# samples whenever the view changes: a started Blender spent about 3.5 CPU-seconds drawing its
# first screen, and as much again after each change of view. FXAA smooths edges in one pass.
bpy.context.preferences.system.viewport_aa = 'FXAA'
blender_lab.register()
