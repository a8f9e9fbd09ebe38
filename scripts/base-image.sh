#!/usr/bin/env bash
# Builds a minimal Debian bookworm base image from Debian packages (no registry needed):
# debootstrap --variant=minbase → docker import. Idempotent: does nothing if the image exists.
set -euo pipefail

NAME="${BASE_IMAGE:-blender-lab/debian-base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-}"
if [ -z "$MIRROR" ]; then
  # Use the mirror this machine's apt is configured with.
  MIRROR=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v security | grep -i debian | head -1 | awk '{print $2}' || true)
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi

if docker image inspect "$NAME" >/dev/null 2>&1; then exit 0; fi
# Where a registry is reachable, the official slim image is the quicker base.
if timeout 60 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  docker tag debian:bookworm-slim "$NAME"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "debootstrap is missing: install it (apt-get install debootstrap) or pull debian:bookworm-slim and tag it $NAME" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

ROOT=$(mktemp -d /tmp/blender-lab-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
echo "Bootstrapping Debian bookworm from $MIRROR…" >&2
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 || { tail -30 "$ROOT.log" >&2; exit 1; }
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
tar -C "$ROOT" -c . | docker import -c 'CMD ["/bin/bash"]' - "$NAME" >/dev/null
rm -f "$ROOT.log"
echo "Built base image $NAME" >&2
