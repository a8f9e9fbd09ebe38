#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a Debian machine where we are root, installs
# docker.io and starts dockerd in the background; elsewhere says what to do.
set -euo pipefail

if docker info >/dev/null 2>&1; then exit 0; fi

if [ "$(id -u)" != 0 ]; then
  echo "Docker is not running. Start the Docker engine (e.g. 'sudo systemctl start docker') and try again." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing docker.io…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

deadline=$((SECONDS + 90))
until docker info >/dev/null 2>&1; do
  # (Re)start it whenever none runs: one that was shutting down when we came may have exited.
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "Starting dockerd…" >&2
    nohup dockerd >>/var/log/blender-lab-dockerd.log 2>&1 &
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "dockerd did not answer within 90 s; see /var/log/blender-lab-dockerd.log" >&2
    tail -20 /var/log/blender-lab-dockerd.log >&2 || true
    exit 1
  fi
  sleep 0.5
done
