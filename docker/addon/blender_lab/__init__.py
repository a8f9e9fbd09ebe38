"""Blender Lab add-on: lets the Blender Lab panel drive this Blender over an authenticated socket.

Speaks blender-mcp's add-on protocol (raw JSON or 4-byte length-prefixed requests) plus an
`auth` request that must come first on every connection.
"""

bl_info = {
    "name": "Blender Lab",
    "author": "Blender Lab",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "Runs in the background",
    "description": "Socket server for the Blender Lab control panel",
    "category": "System",
}

import os

import bpy

from . import saving
from .commands import dispatch
from .server import Server

_server = None
_autosave_seconds = 60.0


def _drain():
    if _server is not None:
        _server.run_pending()
    # Polled every event-loop turn: the queue check is cheap and keeps round trips short.
    return 0.0


def _autosave():
    try:
        if saving.autosave():
            print("[blender-lab] autosaved the scene", flush=True)
    except Exception as exc:  # an autosave must never take Blender down; the next one tries again
        print(f"[blender-lab] autosave failed: {exc}", flush=True)
    return _autosave_seconds


def register():
    global _server, _autosave_seconds
    if _server is not None:
        return
    secret = os.environ.get("BLENDER_LAB_SECRET", "")
    port = int(os.environ.get("BLENDER_LAB_ADDON_PORT", "9876"))
    _server = Server(secret, dispatch, port=port)
    _server.start()
    bpy.app.timers.register(_drain, first_interval=0.0, persistent=True)
    for handlers in (bpy.app.handlers.depsgraph_update_post, bpy.app.handlers.undo_post, bpy.app.handlers.redo_post):
        handlers.append(saving.changes.mark)
    try:
        _autosave_seconds = float(os.environ.get("BLENDER_LAB_AUTOSAVE_SECONDS", "60"))
    except ValueError:
        _autosave_seconds = 60.0
    if _autosave_seconds > 0:
        bpy.app.timers.register(_autosave, first_interval=_autosave_seconds, persistent=True)


def unregister():
    global _server
    for timer in (_drain, _autosave):
        if bpy.app.timers.is_registered(timer):
            bpy.app.timers.unregister(timer)
    if _server is not None:
        _server.stop()
        _server = None
