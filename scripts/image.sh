#!/usr/bin/env bash
# Builds the Blender image from docker/ on a Debian base made locally (no registry needed).
# The image carries a hash of docker/ as a label, so an unchanged image is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${BLENDER_LAB_IMAGE:-blender-lab/blender:latest}"
BASE_IMAGE="${BASE_IMAGE:-blender-lab/debian-base:bookworm}"
export BASE_IMAGE

bash scripts/engine-start.sh

HASH=$( (cd docker && find . -type f -not -name '*.pyc' -not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z \
  | xargs -0 sha256sum; echo "base=$BASE_IMAGE") | sha256sum | cut -c1-16)

CURRENT=$(docker image inspect -f '{{ index .Config.Labels "org.blender-lab.context-hash" }}' "$IMAGE" 2>/dev/null || true)
if [ "$CURRENT" = "$HASH" ]; then
  echo "Image $IMAGE is up to date ($HASH)" >&2
  exit 0
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if docker image inspect debian:bookworm-slim >/dev/null 2>&1 || docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    docker tag debian:bookworm-slim "$BASE_IMAGE"
  else
    bash scripts/base-image.sh
  fi
fi

echo "Building $IMAGE from docker/ on $BASE_IMAGE (a few minutes the first time)…" >&2
start=$SECONDS
docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
  --label org.blender-lab.context-hash="$HASH" -t "$IMAGE" docker
echo "Built $IMAGE in $((SECONDS - start)) s" >&2
