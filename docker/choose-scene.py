"""Run by the entrypoint before Blender starts: prints the scene file to open (or nothing).

The newest good state wins (a saved version or the newer autosave); a damaged file is passed
over for the one before it. BLENDER_LAB_OPEN names a saved version the person asked for;
BLENDER_LAB_OPEN_FILE a .blend of their own, relative to their home.
"""

import os
import sys

sys.path.insert(0, "/opt/blender-lab/addon")

import lab_scenes  # noqa: E402

requested = os.environ.get("BLENDER_LAB_OPEN", "")
if requested and not lab_scenes.VERSION_NAME.match(requested):
    requested = ""
choice = lab_scenes.choose(requested or None)
own_file = os.environ.get("BLENDER_LAB_OPEN_FILE", "")
if own_file:
    opened, why = lab_scenes.choose_file(own_file)
    if opened is None:
        choice["skipped"].insert(0, {"name": own_file, "kind": "file", "why": why})
    else:
        choice = opened
lab_scenes.record_opened(choice)
for s in choice["skipped"]:
    print(f"[blender-lab] passed over {s['name']}: {s['why']}", file=sys.stderr)
print(choice["path"] or "")
