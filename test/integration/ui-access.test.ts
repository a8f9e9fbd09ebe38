import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { BlenderClient } from '../../electron/services/blender/blender-client';
import { screenTokenFor } from '../../electron/services/blender/session-secret';
import { distinctColours } from '../support/canvas';
import { chromiumExecutable } from '../support/chromium';
import { sharedBlender, testEngine } from '../support/blender';
import { waitFor } from '../support/wait';

// The browser UI of a session is only for whoever holds that session's secret.
const blenderUnderTest = sharedBlender(testEngine());
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** The secret with its last character changed: one a random secret ending in 'x' still differs from. */
const wrongSecret = () => {
  const secret = blenderUnderTest().secret;
  return `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
};

/** Opens the UI's WebSocket and reports what came back before it closed (or the first message). */
function probeSocket(path: string): Promise<{ opened: boolean; firstMessage: string | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${blenderUnderTest().uiPort}${path}`, ['binary']);
    let opened = false;
    ws.on('open', () => { opened = true; });
    ws.on('message', (data: Buffer) => {
      resolve({ opened, firstMessage: data.toString('latin1') });
      ws.close();
    });
    ws.on('close', () => resolve({ opened, firstMessage: null }));
    ws.on('error', () => resolve({ opened, firstMessage: null }));
  });
}

describe('the Blender UI server', () => {
  it('streams the VNC session to a WebSocket that presents the secret', async () => {
    const { firstMessage } = await probeSocket(`/websockify?token=${screenTokenFor(blenderUnderTest().secret)}`);
    expect(firstMessage).toMatch(/^RFB 003\.00\d\n$/);
  });

  it('sends nothing to a WebSocket without the secret', async () => {
    expect((await probeSocket('/websockify')).firstMessage).toBeNull();
  });

  it('sends nothing to a WebSocket with a wrong secret, nor with the session secret itself (the screen has a token of its own)', async () => {
    expect((await probeSocket(`/websockify?token=${wrongSecret()}`)).firstMessage).toBeNull();
    expect((await probeSocket(`/websockify?token=${blenderUnderTest().secret}`)).firstMessage).toBeNull();
  });

  it('shows Blender in a real browser given the secret, and nothing without it', async () => {
    await mkdir('test-results', { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const base = `http://127.0.0.1:${blenderUnderTest().uiPort}/vnc.html?autoconnect=1&resize=scale`;

    await page.goto(`${base}&path=${encodeURIComponent('websockify')}`);
    await expect.poll(() => page.locator('#noVNC_status').textContent(), { timeout: 30_000 }).toMatch(/Failed to connect/);
    expect(await page.title()).toBe('noVNC');
    await page.screenshot({ path: 'test-results/ui-without-secret.png' });

    await page.goto(`${base}&path=${encodeURIComponent(`websockify?token=${screenTokenFor(blenderUnderTest().secret)}`)}`);
    // noVNC puts the remote desktop's name in the title once the screen is streaming.
    await expect.poll(() => page.title(), { timeout: 30_000 }).toMatch(/ - noVNC$/);
    const canvas = page.locator('#noVNC_container canvas');
    await expect.poll(async () => (await canvas.boundingBox())?.width ?? 0, { timeout: 30_000 }).toBeGreaterThan(600);
    await page.screenshot({ path: 'test-results/ui-with-secret.png' });
    await page.close();
  });

  it('has a chrome-less view for the panel that connects with the secret in the fragment', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    const view = `http://127.0.0.1:${blenderUnderTest().uiPort}/blender-lab.html`;
    await page.goto(view);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('needs the session secret');
    await page.goto(`${view}#token=${wrongSecret()}`);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toContain('not reachable');
    await page.goto('about:blank');
    await page.goto(`${view}#token=${screenTokenFor(blenderUnderTest().secret)}`);
    await expect.poll(() => page.getByRole('status').isHidden(), { timeout: 30_000 }).toBe(true);
    const canvas = page.locator('#screen canvas');
    // Scaled to fill the frame's width (the remote screen is 1600x900).
    await expect.poll(async () => Math.round((await canvas.boundingBox())?.width ?? 0), { timeout: 30_000 }).toBe(1000);
    // Blender's window is drawn: many distinct colours, not an empty background.
    await expect.poll(() => canvas.evaluate(distinctColours), { timeout: 30_000 }).toBeGreaterThan(20);
    await page.screenshot({ path: 'test-results/ui-panel-view.png' });
    await page.close();
  });

  it('keeps serving the secret\'s screen, and Blender keeps answering, while strangers hold a thousand connections open', async () => {
    const b = blenderUnderTest();
    const engine = testEngine();
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 1000; i++) {
        const socket = connect(b.uiPort, '127.0.0.1');
        socket.on('error', () => {});
        sockets.push(socket);
      }
      await waitFor('the strangers to connect', () => sockets.every((s) => !s.connecting) || undefined);
      // Each would have been a process of its own before the gate; the container's limit is 512.
      const processes = Number((await engine.containers.exec(b.id, ['sh', '-c', 'ls -d /proc/[0-9]* | wc -l'])).stdout.trim());
      expect(processes).toBeLessThan(100);
      expect((await probeSocket(`/websockify?token=${screenTokenFor(b.secret)}`)).firstMessage).toMatch(/^RFB 003\.00\d\n$/);
      const client = new BlenderClient({ port: b.addonPort, secret: b.secret });
      try {
        expect((await client.getSceneInfo()).object_count).toBe(3);
      } finally {
        client.close();
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
