import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

// The packaged shell itself (npm run test:electron). It needs the Electron binary, which cannot be
// downloaded on every machine, so it is not part of npm test; `npx install-electron` fetches it
// where the network allows.
function electronBinary(): string | null {
  const dir = path.resolve('node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

test('the Electron panel opens its sign-in screen in a locked-down window', async () => {
  if (!binary) throw new Error('The Electron binary is not installed: run `npx install-electron` where it can be downloaded');
  const app = await electron.launch({ executablePath: binary!, args: [path.resolve('out/main/main.js')], env: { ...process.env, NODE_ENV: 'production' } });
  try {
    const window = await app.firstWindow();
    await expect(window.getByLabel('Username')).toBeVisible();
    await expect(window.getByRole('button', { name: 'Create account' })).toBeVisible();
    const exposed = await window.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      api: Object.keys((window as unknown as { blenderLab: { api: object } }).blenderLab.api).length,
    }));
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', api: expect.any(Number) });
  } finally {
    await app.close();
  }
});
