#!/bin/bash
# Run once while the image is built: Blender draws its window once on a throwaway display, so
# Mesa's shader cache (~/.cache/mesa_shader_cache) ships in the image. A new person's home is
# filled from the image, and their first Blender skips compiling every shader from scratch.
set -euo pipefail
Xvfb :98 -screen 0 1600x900x24 -nolisten tcp +extension GLX +render &
xvfb=$!
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X98 ] && break; sleep 0.1; done
DISPLAY=:98 timeout 120 blender --python-expr 'import bpy; bpy.context.preferences.view.show_splash = False; bpy.app.timers.register(lambda: bpy.ops.wm.quit_blender(), first_interval=8)' >/dev/null 2>&1 || true
kill "$xvfb"
wait "$xvfb" 2>/dev/null || true
rm -rf /tmp/.X11-unix/X98 /tmp/.X98-lock "$HOME/.config/blender"
du -sh "$HOME/.cache/mesa_shader_cache"
