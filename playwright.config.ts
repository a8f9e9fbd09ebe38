import { defineConfig } from '@playwright/test';
import { chromiumExecutable } from './test/support/chromium';

// End-to-end: the real renderer in Debian's Chromium against `npm run serve`, the real engine
// and the real Blender image. Browsers are never downloaded.
export default defineConfig({
  testDir: 'e2e',
  // The Electron shell test has its own command (npm run test:electron): it needs a binary
  // that cannot be downloaded everywhere.
  testIgnore: ['electron.spec.ts'],
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/serve-setup.ts',
  workers: 1,
  timeout: 300_000,
  expect: { timeout: 120_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1400, height: 860 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
