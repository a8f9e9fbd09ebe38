#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret
# Service), so keytar works on a machine without a desktop session.
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${BLENDER_LAB_IN_KEYRING:-}" = 1 ]; then exec "$@"; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing: apt-get install -y dbus gnome-keyring" >&2; exit 1; }
done
export BLENDER_LAB_IN_KEYRING=1
exec dbus-run-session -- bash -c '
  set -euo pipefail
  # A throwaway keyring: its password only has to unlock it for this session.
  export XDG_DATA_HOME="$(mktemp -d /tmp/blender-lab-keyring.XXXXXX)"
  trap "rm -rf \"$XDG_DATA_HOME\"" EXIT
  eval "$(printf "%s" "blender-lab-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL
  "$@"
' bash "$@"
