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

from .commands import dispatch
from .server import Server

_server = None


def _drain():
    if _server is not None:
        _server.run_pending()
    # Polled every event-loop turn: the queue check is cheap and keeps round trips short.
    return 0.0


def register():
    global _server
    if _server is not None:
        return
    secret = os.environ.get("BLENDER_LAB_SECRET", "")
    port = int(os.environ.get("BLENDER_LAB_ADDON_PORT", "9876"))
    _server = Server(secret, dispatch, port=port)
    _server.start()
    bpy.app.timers.register(_drain, first_interval=0.0, persistent=True)


def unregister():
    global _server
    if bpy.app.timers.is_registered(_drain):
        bpy.app.timers.unregister(_drain)
    if _server is not None:
        _server.stop()
        _server = None
