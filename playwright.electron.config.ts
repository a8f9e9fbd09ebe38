import { defineConfig } from '@playwright/test';

// npm run test:electron: the Electron shell itself, where its binary is installed.
export default defineConfig({
  testDir: 'e2e',
  testMatch: ['electron.spec.ts'],
  outputDir: 'test-results/electron',
  workers: 1,
  timeout: 120_000,
  reporter: [['list']],
});
