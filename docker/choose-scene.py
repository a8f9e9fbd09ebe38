"""Run by the entrypoint before Blender starts: prints the scene file to open (or nothing).

The newest good state wins (a saved version or the newer autosave); a damaged file is passed
over for the one before it. BLENDER_LAB_OPEN names a saved version the person asked for.
"""

import os
import sys

sys.path.insert(0, "/opt/blender-lab/addon")

import lab_scenes  # noqa: E402

requested = os.environ.get("BLENDER_LAB_OPEN", "")
if requested and not lab_scenes.VERSION_NAME.match(requested):
    requested = ""
choice = lab_scenes.choose(requested or None)
lab_scenes.record_opened(choice)
for s in choice["skipped"]:
    print(f"[blender-lab] passed over {s['name']}: {s['why']}", file=sys.stderr)
print(choice["path"] or "")
