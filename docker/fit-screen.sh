#!/bin/bash
# Resizes the virtual screen, and Blender's window with it, to WIDTH HEIGHT: the panel runs this
# whenever the frame showing Blender changes size, so the screen is drawn 1:1, never scaled.
set -euo pipefail
width=${1:-} height=${2:-}
if ! [[ "$width" =~ ^[0-9]{3,4}$ && "$height" =~ ^[0-9]{3,4}$ ]] || ((width < 320 || width > 3840 || height < 240 || height > 2160)); then
  echo "fit-screen: WIDTH must be 320-3840 and HEIGHT 240-2160 (got '$width' '$height')" >&2
  exit 64
fi
mode="${width}x${height}"
export DISPLAY=${DISPLAY:-:99}
# The next start draws its first screen at this size (entrypoint.sh): a first screen drawn at
# another size is drawn again when the frame asks for this one, about a CPU-second in software.
remember() { printf '%s\n' "$mode" >/var/lib/blender-lab/screen 2>/dev/null || true; }
# Setting the size the screen already has makes x11vnc resend a stale picture: only a change is made.
if xrandr | head -1 | grep -q "current $width x $height,"; then
  remember
  echo "$mode"
  exit 0
fi
# Xvfb starts at its largest size; any smaller mode can be added and chosen (RandR 1.2).
xrandr --newmode "$mode" 0 "$width" 0 0 0 "$height" 0 0 0 2>/dev/null || true
xrandr --addmode screen "$mode" 2>/dev/null || true
xrandr --output screen --mode "$mode"
xrandr --fb "$mode"
# No window manager: Blender's window is sized to the screen by hand.
windows=$(xdotool search --class blender 2>/dev/null || true)
for window in $windows; do
  xdotool windowmove "$window" 0 0 windowsize "$window" "$width" "$height" 2>/dev/null || true
done
# Once Blender has drawn at its new size, have everything drawn again: x11vnc can miss the
# first picture after a resize and keep parts of the old one. Before Blender has a window (the
# entrypoint sets the first size) there is nothing to draw again, and a refresh would only make
# a Blender starting meanwhile draw its first screen twice.
if [ -n "$windows" ]; then
  (sleep 0.7; xrefresh 2>/dev/null) >/dev/null 2>&1 &
fi
remember
echo "$mode"
