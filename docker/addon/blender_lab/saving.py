"""Saving the open scene into the person's volume: versions at every stop, and an autosave.

Every file is written beside its final name and moved into place only once it is whole, so a
crash mid-write never leaves a half-written file where a good one was.
"""

import contextlib
import os
import time

import bpy

import lab_scenes

from .errors import CommandError


class Changes:
    """Counts edits (depsgraph updates, undo, code run through the add-on) so unchanged scenes are not saved again."""

    def __init__(self):
        self.count = 0
        self.at_version = 0
        self.at_autosave = 0
        self.version_saved_at = None

    def mark(self, *_args):
        self.count += 1


changes = Changes()


def _write(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.saving-{os.getpid()}.blend"
    window = bpy.context.window_manager.windows[0] if bpy.context.window_manager.windows else None
    # No preview image: rendering one in software takes longer than writing the scene itself.
    filepaths = bpy.context.preferences.filepaths
    preview = filepaths.file_preview_type
    filepaths.file_preview_type = "NONE"
    try:
        with bpy.context.temp_override(window=window) if window else contextlib.nullcontext():
            result = bpy.ops.wm.save_as_mainfile(filepath=temporary, copy=True, compress=False, check_existing=False)
    finally:
        filepaths.file_preview_type = preview
    if "FINISHED" not in result:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise CommandError(f"Blender could not save the scene ({', '.join(result)})")
    why = lab_scenes.problem(temporary)
    if why:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise CommandError(f"The saved scene is {why}")
    with open(temporary, "rb") as f:
        os.fsync(f.fileno())
    os.replace(temporary, path)
    return os.path.getsize(path)


def save_version(keep, protect=(), if_changed=False):
    """A new saved version (unless nothing changed since the last one and `if_changed`), older ones pruned."""
    if if_changed and changes.count == changes.at_version and changes.version_saved_at is not None:
        return {"saved": True, "skipped": True, "path": "", "bytes": 0, "objects": len(bpy.data.objects)}
    mark = changes.count
    path = lab_scenes.new_version_path()
    size = _write(path)
    changes.at_version = mark
    changes.at_autosave = mark
    changes.version_saved_at = time.time()
    lab_scenes.prune(keep, protect=set(protect) | {os.path.basename(path)})
    return {"saved": True, "skipped": False, "path": path, "bytes": size, "objects": len(bpy.data.objects)}


def autosave():
    """Writes the autosave when the scene changed since the last save of any kind."""
    if changes.count == changes.at_autosave:
        return False
    mark = changes.count
    _write(lab_scenes.AUTOSAVE)
    changes.at_autosave = mark
    return True
