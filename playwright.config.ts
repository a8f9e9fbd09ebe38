import { defineConfig } from '@playwright/test';
import { chromiumExecutable } from './test/support/chromium';

// End-to-end: the real renderer in Debian's Chromium against `npm run serve`, the real engine
// and the real Blender image. Browsers are never downloaded.
export default defineConfig({
  testDir: 'e2e',
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
