#!/usr/bin/env bash
# The whole test suite (npm test): static checks, then unit and integration tests against a real
# Docker engine and the real Blender image, in real Chromium. Prepares what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "lint";        npx eslint .
step "type-check";  npx tsc --noEmit -p tsconfig.json
step "build";       npx electron-vite build >/dev/null

step "system packages"; bash scripts/prepare.sh
step "Docker engine";   bash scripts/engine-start.sh
step "Blender image";   npx tsx scripts/image.ts

step "tests"
mkdir -p test-results
set +e
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
status=$?
set -e
node -e '
  const r = require("./test-results/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
