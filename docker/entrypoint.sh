#!/bin/bash
# Starts the display, Blender with the Blender Lab add-on, and the browser UI server.
# If any of them dies the container exits, so Docker always sees a dead Blender.
set -uo pipefail

log() { echo "[blender-lab] $*"; }

# A start held for its turn in the panel's queue (BLENDER_LAB_HOLD_SECONDS) boots Blender at
# SIGUSR1. Trapped first thing, so a signal that comes early is not lost; ignored once let in.
let_in=0
holder=""
trap 'let_in=1; [ -n "$holder" ] && kill "$holder" 2>/dev/null' USR1

# The panel writes a fresh secret (and the user's integration keys) here before every start;
# BLENDER_LAB_SECRET in the environment serves when the container is run by hand.
SESSION_ENV=/var/lib/blender-lab/session.env
if [ -r "$SESSION_ENV" ]; then
  set -a
  # shellcheck source=/dev/null
  . "$SESSION_ENV"
  set +a
  # Read once: the secret and the keys must not stay in the container's files after it stops.
  rm -f "$SESSION_ENV"
fi

if [ -z "${BLENDER_LAB_SECRET:-}" ]; then
  log "BLENDER_LAB_SECRET is not set; refusing to start without a session secret." >&2
  exit 64
fi
if ! [[ "$BLENDER_LAB_SECRET" =~ ^[A-Za-z0-9_-]{16,256}$ ]]; then
  log "BLENDER_LAB_SECRET must be 16-256 characters of [A-Za-z0-9_-]." >&2
  exit 64
fi

HOLD_SECONDS="${BLENDER_LAB_HOLD_SECONDS:-}"
if [ -n "$HOLD_SECONDS" ] && ! [[ "$HOLD_SECONDS" =~ ^[1-9][0-9]{0,4}$ ]]; then
  log "BLENDER_LAB_HOLD_SECONDS must be a whole number of seconds (1-99999)." >&2
  exit 64
fi

# Only in memory (a tmpfs the panel mounts), so the panel can attach again after it restarts
# and nothing of the secret is left once the container stops.
if [ -d /run/blender-lab ] && [ -w /run/blender-lab ]; then
  (umask 077 && printf '%s' "$BLENDER_LAB_SECRET" > /run/blender-lab/secret)
fi

DISPLAY_NUM=99
export DISPLAY=":${DISPLAY_NUM}"
DEFAULT_SCREEN=1600x900
# The first screen is drawn at the size the frame will ask for, not drawn once more when it asks:
# the size this screen was last fitted to (fit-screen.sh keeps it), else the size the panel last
# fitted anyone's to (BLENDER_LAB_SCREEN, WIDTHxHEIGHT).
REMEMBERED_SCREEN="$(head -n 1 /var/lib/blender-lab/screen 2>/dev/null | head -c 16)"
SCREEN="${REMEMBERED_SCREEN:-${BLENDER_LAB_SCREEN:-$DEFAULT_SCREEN}}"
# The display is created at its largest, then set to SCREEN; the panel resizes it to fit its frame.
LARGEST_SCREEN=3840x2160x24
RUN_DIR="$(mktemp -d /tmp/blender-lab.XXXXXX)"
chmod 700 "$RUN_DIR"

# /tmp is usually a fresh tmpfs; without one, a killed container leaves the X lock behind.
mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix 2>/dev/null
rm -f "/tmp/.X${DISPLAY_NUM}-lock" "/tmp/.X11-unix/X${DISPLAY_NUM}"

# The screen's token is derived from the secret (HMAC-SHA256 with "blender-lab-ui", base64url, as
# the panel computes it): it travels in the frame's address, in clear over a tcp:// engine, so the
# secret itself, which runs Python through the add-on, never does.
SCREEN_TOKEN="$(python3 -I -S -c 'import base64, hashlib, hmac, os
print(base64.urlsafe_b64encode(hmac.new(os.environ["BLENDER_LAB_SECRET"].encode(), b"blender-lab-ui", hashlib.sha256).digest()).decode().rstrip("="))')"
# The UI server only proxies a WebSocket whose token is the screen's.
printf '%s: localhost:5900\n' "$SCREEN_TOKEN" > "$RUN_DIR/tokens"
chmod 600 "$RUN_DIR/tokens"

pids=()
stopping=0
blender_started=0
# docker stop, an engine restart or a host shutdown: save the scene like a sign-out first. The
# panel sets the container's stop timeout long enough for a large scene.
shutdown() {
  stopping=1
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  if [ "$blender_started" = 1 ]; then
    log "stopping: saving the scene first"
    python3 /opt/blender-lab/save-on-stop.py
  else
    log "stopping before Blender started"
  fi
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null; done
  wait
  exit 0
}
trap shutdown TERM INT

wait_for() { # name, test command, seconds
  local name=$1 check=$2 deadline=$((SECONDS + $3))
  until eval "$check"; do
    if [ $SECONDS -ge $deadline ]; then log "$name did not come up"; exit 70; fi
    sleep 0.1
  done
}

log "starting display $DISPLAY ($SCREEN)"
Xvfb "$DISPLAY" -screen 0 "$LARGEST_SCREEN" -nolisten tcp -noreset +extension GLX +extension RANDR +render &
pids+=($!)
wait_for "Xvfb" "[ -e /tmp/.X11-unix/X${DISPLAY_NUM} ]" 20
fit_screen() { /opt/blender-lab/fit-screen.sh "${1%x*}" "${1#*x}" >/dev/null; }
if ! fit_screen "$SCREEN"; then
  log "could not set the screen to $SCREEN; using $DEFAULT_SCREEN"
  fit_screen "$DEFAULT_SCREEN" || log "could not set the screen to $DEFAULT_SCREEN; it stays $LARGEST_SCREEN"
fi

# The newest good state: the last save, or the autosave when Blender ended without one.
SCENE="$(python3 /opt/blender-lab/choose-scene.py)"

start_blender() {
  if [ -n "$SCENE" ]; then
    log "starting Blender with $(basename "$SCENE")"
    blender "$SCENE" --python /opt/blender-lab/addon/startup.py &
  else
    log "starting Blender with a new scene"
    blender --python /opt/blender-lab/addon/startup.py &
  fi
  pids+=($!)
  blender_started=1
}

start_ui_server() {
  # x11vnc follows the cut buffer but not who owns the CLIPBOARD: autocutsel keeps the two in
  # step, so text Blender copies reaches the panel's clipboard. Not with -fork: its forking makes
  # a Blender that has just drawn its first screen draw all of it again (about 0.4 CPU-seconds).
  # Left out of the parts watched: the clipboard is not worth a running Blender.
  autocutsel -selection CLIPBOARD &
  disown

  log "starting VNC server"
  x11vnc -display "$DISPLAY" -localhost -rfbport 5900 -forever -shared -nopw -noxdamage -xrandr \
    -quiet -o "$RUN_DIR/x11vnc.log" &
  pids+=($!)
  wait_for "VNC server" "(exec 3<>/dev/tcp/127.0.0.1/5900) 2>/dev/null" 20

  # websockify logs each request path, and the secret travels in the WebSocket's query string.
  hide_tokens() { sed -u -E -e "s/token=[^ &\"']*/token=[hidden]/g" -e "s/[Tt]oken '[^']*'/token '[hidden]'/g"; }

  # websockify starts a process per connection before it reads the token, so it listens inside
  # the container only; the gate on :3000 lets only the secret's WebSocket through to it, a few
  # at once, and serves noVNC's files itself (one process however many connect).
  websockify --token-plugin TokenFile --token-source "$RUN_DIR/tokens" \
    127.0.0.1:3001 > >(hide_tokens >"$RUN_DIR/websockify.log") 2>&1 &
  pids+=($!)
  log "starting UI server on :3000"
  (umask 077 && printf '%s' "$SCREEN_TOKEN" > "$RUN_DIR/ui-secret")
  python3 -I -S /opt/blender-lab/ui-gate.py 3000 "$RUN_DIR/ui-secret" >"$RUN_DIR/ui-gate.log" 2>&1 &
  pids+=($!)
}

# Held for a turn in the panel's start queue: everything but Blender is up meanwhile, so the turn
# costs only Blender's own boot. The UI server answering tells the panel the hold has begun.
hold_for_turn() {
  local seconds=$1
  log "waiting for a turn to start Blender"
  sleep "$seconds" &
  holder=$!
  # The trap kills the sleep; checked again after setting holder, in case it came in between.
  [ "$let_in" = 1 ] || wait "$holder"
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  holder=""
  if [ "$let_in" = 0 ]; then
    log "no turn came within $seconds s; stopping"
    exit 75
  fi
}

if [ -n "$HOLD_SECONDS" ]; then
  start_ui_server
  hold_for_turn "$HOLD_SECONDS"
  trap '' USR1
  start_blender
else
  trap '' USR1
  start_blender
  start_ui_server
fi

# Exit when any part dies, so Docker sees it and restart policies or the panel can react.
wait -n
status=$?
if [ "$stopping" = 0 ]; then
  log "a component exited (status $status); stopping the container"
  tail -n 20 "$RUN_DIR"/*.log 2>/dev/null
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
  exit 1
fi
