#!/usr/bin/env bash
# The whole test suite (npm test): static checks, then unit and integration tests against a real
# Docker engine and the real Blender image, and end-to-end tests in real Chromium against the
# headless panel. Prepares what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "lint";        npx eslint .
step "type-check";  npx tsc --noEmit -p tsconfig.json
step "build";       npx electron-vite build >/dev/null

step "system packages"; bash scripts/prepare.sh
step "Docker engine";   bash scripts/engine-start.sh
step "Blender image";   npx tsx scripts/image.ts

mkdir -p test-results
status=0
step "unit and integration tests"
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
step "end-to-end tests"
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json \
  bash scripts/with-keyring.sh npx playwright test --reporter=list,json || status=$?

node -e '
  const fs = require("fs");
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
  const v = read("test-results/vitest.json");
  const p = read("test-results/playwright.json");
  let passed = 0, failed = 0, skipped = 0;
  if (v) { passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests; }
  if (p) { passed += p.stats.expected; failed += p.stats.unexpected + p.stats.flaky; skipped += p.stats.skipped; }
  if (!v || !p) failed += 1; // a runner that wrote no report did not run
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $status
