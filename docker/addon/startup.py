"""Run by `blender --python`: starts the Blender Lab add-on in this Blender."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bpy  # noqa: E402

import blender_lab  # noqa: E402

bpy.context.preferences.view.show_splash = False
blender_lab.register()
