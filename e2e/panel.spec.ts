import { expect, test, type Browser, type Page } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import WebSocket from 'ws';
import { distinctColours } from '../test/support/canvas';

// Two people and an administrator use the panel in real Chromium, against real containers.
test.describe.configure({ mode: 'serial' });

const url = () => process.env.PANEL_URL!;
let admin: Page;
let bob: Page;

async function openPanel(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url());
  await expect(page.getByRole('heading', { name: 'Blender Lab' })).toBeVisible();
  return page;
}

async function fill(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
}

/** Waits until the embedded Blender screen is drawn (many colours, not a blank canvas). */
async function blenderDrawn(page: Page) {
  const canvas = page.frameLocator('iframe[title="Blender"]').locator('#screen canvas');
  await expect(canvas).toBeVisible();
  await expect.poll(() => canvas.evaluate(distinctColours)).toBeGreaterThan(20);
}

async function sceneInfo(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Scene info' }).click();
  const latest = page.getByRole('region', { name: 'Command history' }).locator('li').first();
  await expect(latest).toContainText('Scene info');
  return (await latest.locator('pre').textContent()) ?? '';
}

test('without the token in the address, nothing of the panel is served', async ({ request }) => {
  const base = new URL(url()).origin;
  const page = await request.get(`${base}/`);
  expect(await page.text()).not.toContain('assets/');
  expect((await request.get(`${base}/index.html`)).status()).toBe(403);
});

test('a wrong token, a missing cookie, another origin and paths outside the app all get nothing', async ({ request, playwright }) => {
  const base = new URL(url()).origin;
  expect((await request.post(`${base}/access`, { data: 'not-the-token' })).status()).toBe(403);
  expect((await request.post(`${base}/access`, { data: 'x'.repeat(64 * 1024) })).status()).toBe(403);
  expect((await request.get(`${base}/assets/index.js`)).status()).toBe(403);
  const token = new URL(url()).hash.split('token=')[1]!;
  const allowed = await playwright.request.newContext();
  expect((await allowed.post(`${base}/access`, { data: token })).status()).toBe(204);
  expect((await allowed.get(`${base}/`)).status()).toBe(200);
  expect((await allowed.get(`${base}/..%2f..%2fpackage.json`)).status()).toBe(404);
  await allowed.dispose();
  // The API socket wants the cookie and our own origin.
  const refused = await new Promise<boolean>((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api`, { headers: { Origin: base } });
    ws.on('open', () => resolve(false));
    ws.on('error', () => resolve(true));
  });
  expect(refused).toBe(true);
});

test('the first account is the administrator and gets a Blender', async ({ browser }) => {
  admin = await openPanel(browser);
  await fill(admin, 'ada', 'ada password 1');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByRole('progressbar')).toBeVisible();
  await blenderDrawn(admin);
  await expect(admin.getByRole('button', { name: 'Admin' })).toBeVisible();
});

test('a second person gets their own Blender', async ({ browser }) => {
  bob = await openPanel(browser);
  await fill(bob, 'bob', 'bob password 1');
  await bob.getByRole('button', { name: 'Create account' }).click();
  await blenderDrawn(bob);
  await expect(bob.getByRole('button', { name: 'Admin' })).toHaveCount(0);
  await expect(bob.getByLabel('Session state')).toHaveText('ready');
});

test("Blender's screen follows the size of its frame, 1:1", async () => {
  const frame = bob.locator('iframe[title="Blender"]');
  const canvas = bob.frameLocator('iframe[title="Blender"]').locator('#screen canvas');
  const sizes = async () => ({
    frame: await frame.evaluate((f: HTMLIFrameElement) => `${f.clientWidth}x${f.clientHeight}`),
    screen: await canvas.evaluate((c: HTMLCanvasElement) => `${c.width}x${c.height}`),
  });
  const matching = async () => {
    const { frame, screen } = await sizes();
    return frame === screen ? screen : `${screen} in a ${frame} frame`;
  };
  const before = (await sizes()).frame;
  await expect.poll(matching, { timeout: 20_000 }).toBe(before);
  await blenderDrawn(bob);
  await bob.screenshot({ path: 'test-results/e2e/workspace.png' });
  await bob.setViewportSize({ width: 1180, height: 700 });
  const after = (await sizes()).frame;
  expect(after).not.toBe(before);
  await expect.poll(matching, { timeout: 20_000 }).toBe(after);
  await blenderDrawn(bob);
  // Blender's own window follows, not just the display under it.
  await bob.getByLabel('Python code').fill('import bpy\nw = bpy.context.window_manager.windows[0]\nprint(f"{w.width}x{w.height}")');
  await bob.getByRole('button', { name: 'Run' }).click();
  await expect(bob.getByRole('region', { name: 'Command history' }).locator('li').first().locator('pre')).toHaveText(`${after}\n`);
});

test('text copied in Blender reaches the workstation clipboard, and back', async () => {
  const origin = new URL((await bob.locator('iframe[title="Blender"]').getAttribute('src'))!).origin;
  // What a person allows when the browser asks; the panel's page delegates it to the Blender frame.
  for (const o of [origin, new URL(bob.url()).origin]) await bob.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: o });
  const frame = bob.frameLocator('iframe[title="Blender"]');
  await frame.locator('#screen canvas').click({ position: { x: 5, y: 5 } });
  let runs = 0;
  const run = async (code: string) => {
    // A numbered first line tells this run's History entry from the one before.
    const line = `import bpy  # ${++runs}`;
    await bob.getByLabel('Python code').fill(`${line}\n${code}`);
    await bob.getByRole('button', { name: 'Run' }).click();
    await expect(bob.getByRole('region', { name: 'Command history' }).locator('li').first()).toContainText(line);
    return (await bob.getByRole('region', { name: 'Command history' }).locator('li').first().locator('pre').textContent()) ?? '';
  };
  const inFrame = bob.frames().find((f) => f.url().startsWith(origin))!;
  await run('bpy.context.window_manager.clipboard = "copied in blender 42"');
  // The page may write the clipboard only while focused: the copy lands when the person is back in Blender.
  const backInBlender = () => frame.locator('#screen canvas').click({ position: { x: 400, y: 300 } });
  await expect
    .poll(async () => {
      await backInBlender();
      return inFrame.evaluate(() => navigator.clipboard.readText().catch((e: Error) => e.message));
    }, { timeout: 15_000 })
    .toBe('copied in blender 42');

  await inFrame.evaluate(() => navigator.clipboard.writeText('copied on the workstation 7'));
  await expect
    .poll(async () => {
      await bob.getByLabel('Python code').click(); // away to the panel, then back into Blender
      await backInBlender();
      return run('print(bpy.context.window_manager.clipboard)');
    }, { timeout: 15_000 })
    .toBe('copied on the workstation 7\n');
});

test('PolyHaven\'s HDRIs in the Assets view: pictures, a search, and one made the world of bob\'s Blender', async () => {
  await bob.getByRole('button', { name: 'Assets' }).click();
  const grid = bob.getByRole('list', { name: 'Assets' });
  const dusk = grid.getByRole('listitem', { name: 'Dusk Sky' });
  await expect(dusk.getByRole('img', { name: 'Dusk Sky preview' })).toBeVisible();
  await expect.poll(() => dusk.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await bob.getByRole('searchbox', { name: 'Search' }).fill('studio');
  await expect(dusk).toHaveCount(0);
  await bob.getByRole('searchbox', { name: 'Search' }).fill('');
  await expect(grid.getByRole('listitem')).toHaveCount(2);
  await bob.screenshot({ path: 'test-results/e2e/assets.png' });
  await dusk.getByRole('button', { name: 'Use as world: Dusk Sky' }).click();
  await expect(dusk.getByRole('status')).toHaveText('HDRI dusk_sky is the world now', { timeout: 60_000 });
  await bob.getByRole('button', { name: 'Workspace' }).click();
  await blenderDrawn(bob);
});

test('Python run by one person changes their scene only', async () => {
  await bob.getByLabel('Python code').fill('import bpy\nbpy.ops.mesh.primitive_monkey_add()\nbpy.context.active_object.name = "BobsMonkey"\nprint("added")');
  await bob.getByRole('button', { name: 'Run' }).click();
  await expect(bob.getByRole('region', { name: 'Command history' }).locator('li').first()).toContainText('added');
  expect(await sceneInfo(bob)).toContain('BobsMonkey');
  expect(await sceneInfo(admin)).not.toContain('BobsMonkey');
});

test('Screenshot shows an image of the viewport', async () => {
  await bob.getByRole('button', { name: 'Screenshot' }).click();
  const image = bob.getByRole('img', { name: 'Viewport screenshot' });
  await expect(image).toBeVisible();
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
});

test('an AI client with a token of bob\'s drives bob\'s Blender, and bob sees its calls in History', async () => {
  await bob.getByRole('button', { name: 'AI clients' }).click();
  await bob.getByLabel('Token name').fill('Claude Code');
  await bob.getByLabel('Your password').fill('bob password 1');
  await bob.getByRole('button', { name: 'Create token' }).click();
  const token = (await bob.getByLabel('Token', { exact: true }).textContent())!;
  const endpoint = (await bob.getByLabel('MCP endpoint').textContent())!;
  await expect(bob.getByRole('region', { name: 'New token' })).toContainText(`claude mcp add --transport http blender-lab ${endpoint}`);
  await bob.screenshot({ path: 'test-results/e2e/ai-clients.png' });

  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const made = (await client.callTool({ name: 'execute_blender_code', arguments: { code: 'import bpy\nbpy.ops.mesh.primitive_torus_add()\nbpy.context.active_object.name = "AiTorus"\nprint("torus")' } })) as { content: { text: string }[] };
  expect(made.content[0]!.text).toBe('torus\n');
  await client.close();

  await bob.getByRole('button', { name: 'Workspace' }).click();
  await expect(bob.getByRole('region', { name: 'Command history' }).locator('li').first()).toContainText('Claude Code: execute_blender_code');
  expect(await sceneInfo(bob)).toContain('AiTorus');
  expect(await sceneInfo(admin)).not.toContain('AiTorus');
});

test('a render lands in History and in Files; a file goes up and comes back down through the browser', async () => {
  await bob.getByLabel('Python code').fill('import bpy\nr = bpy.context.scene.render\nr.resolution_x, r.resolution_y, r.resolution_percentage = 320, 180, 100\nbpy.context.scene.eevee.taa_render_samples = 1');
  await bob.getByRole('button', { name: 'Run' }).click();
  await bob.getByRole('button', { name: 'Render' }).click();
  const render = bob.getByRole('img', { name: /^Render saved as renders\/Scene-\d{8}T\d{6}Z\.png$/ });
  await expect(render).toBeVisible({ timeout: 60_000 });
  const saved = (await render.getAttribute('alt'))!.replace('Render saved as renders/', '');

  await bob.getByRole('button', { name: 'Files', exact: true }).click();
  await bob.getByRole('button', { name: 'renders/' }).click();
  await expect(bob.getByRole('table', { name: 'Files in this folder' })).toContainText(saved);
  await bob.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'Home' }).click();
  await expect(bob.getByRole('button', { name: 'renders/' })).toBeVisible();

  const texture = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  await bob.getByLabel('Files to upload').setInputFiles({ name: 'wood texture.png', mimeType: 'image/png', buffer: texture });
  await expect(bob.getByText('wood texture.png uploaded (293.0 KiB)')).toBeVisible();
  await expect(bob.getByRole('table', { name: 'Files in this folder' })).toContainText('293.0 KiB');
  await bob.screenshot({ path: 'test-results/e2e/files.png' });

  const [download] = await Promise.all([bob.waitForEvent('download'), bob.getByRole('button', { name: 'Download wood texture.png' }).click()]);
  expect(download.suggestedFilename()).toBe('wood texture.png');
  const chunks: Buffer[] = [];
  for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(texture)).toBe(true);
  await bob.getByRole('button', { name: 'Workspace' }).click();
  await blenderDrawn(bob);
});

test('signing out stops Blender; signing in again brings the scene back', async () => {
  await bob.getByRole('button', { name: 'Sign out' }).click();
  await expect(bob.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await admin.getByRole('button', { name: 'Admin' }).click();
  const row = admin.getByRole('table').first().getByRole('row', { name: /bob/ });
  await expect(row).toContainText('stopped');
  await expect(row).toContainText('Signed out');

  await fill(bob, 'bob', 'bob password 1');
  await bob.getByRole('button', { name: 'Sign in' }).click();
  await blenderDrawn(bob);
  expect(await sceneInfo(bob)).toContain('BobsMonkey');
});

test('text a Blender copied is never offered to the Blender of the next sign-in at the seat', async () => {
  const blenderOrigin = async () => new URL((await bob.locator('iframe[title="Blender"]').getAttribute('src'))!).origin;
  const grant = async () => {
    for (const o of [await blenderOrigin(), new URL(bob.url()).origin]) await bob.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: o });
  };
  const inFrame = async () => {
    const origin = await blenderOrigin();
    return bob.frames().find((f) => f.url().startsWith(origin))!;
  };
  const canvas = () => bob.frameLocator('iframe[title="Blender"]').locator('#screen canvas');
  const backInBlender = async () => {
    await bob.getByLabel('Python code').click();
    await canvas().click({ position: { x: 400, y: 300 } });
  };
  await grant();
  await bob.getByLabel('Python code').fill('import bpy\nbpy.context.window_manager.clipboard = "bobs copied text 5"');
  await bob.getByRole('button', { name: 'Run' }).click();
  await expect
    .poll(async () => {
      await backInBlender();
      return (await inFrame()).evaluate(() => navigator.clipboard.readText().catch((e: Error) => e.message));
    }, { timeout: 15_000 })
    .toBe('bobs copied text 5');

  await bob.getByRole('button', { name: 'Sign out' }).click();
  await fill(bob, 'bob', 'bob password 1');
  await bob.getByRole('button', { name: 'Sign in' }).click();
  await blenderDrawn(bob);
  await grant();
  // Every text the new frame offers its Blender, in order.
  const offered = async () => (await inFrame()).evaluate(() => (window as unknown as { offered?: string[] }).offered ?? []);
  await (await inFrame()).evaluate(() => {
    const w = window as unknown as { offered: string[]; blenderLabScreen: { clipboardPasteFrom: (t: string) => void } };
    w.offered = [];
    const paste = w.blenderLabScreen.clipboardPasteFrom.bind(w.blenderLabScreen);
    w.blenderLabScreen.clipboardPasteFrom = (text: string) => { w.offered.push(text); paste(text); };
  });
  await backInBlender();
  // Text of the person's own, copied after, is offered as ever: offers are made in order, so the old one would come first.
  await (await inFrame()).evaluate(() => navigator.clipboard.writeText('copied on the workstation 8'));
  await expect
    .poll(async () => {
      await backInBlender();
      return offered();
    }, { timeout: 15_000 })
    .toContain('copied on the workstation 8');
  expect(await offered()).not.toContain('bobs copied text 5');
});

test('the administrator sees both sessions and stops one; that person is told', async () => {
  await expect(admin.getByRole('heading', { name: 'Sessions' })).toBeVisible();
  await expect(admin.getByRole('table').first().getByRole('row', { name: /ada/ })).toContainText('ready');
  await expect(admin.getByRole('table').first().getByRole('row', { name: /bob/ })).toContainText('ready');
  await admin.getByRole('button', { name: 'Refresh' }).click();
  await expect(admin.getByRole('table').first().getByRole('row', { name: /bob/ })).toContainText(/\d+ \/ 2048 MiB/);
  await expect(admin.getByLabel('Docker engine')).toContainText('Docker engine: this machine — reachable');
  await admin.screenshot({ path: 'test-results/e2e/admin.png' });
  await admin.getByRole('button', { name: "Stop bob's session" }).click();
  await expect(admin.getByRole('table').first().getByRole('row', { name: /bob/ })).toContainText('stopped');
  await expect(bob.getByRole('status').filter({ hasText: 'Stopped by an administrator' })).toBeVisible();
  await expect(bob.locator('iframe[title="Blender"]')).toHaveCount(0);
});

test('a wrong password and a locked account each get their message', async ({ browser }) => {
  const page = await openPanel(browser);
  await fill(page, 'bob', 'not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong username or password');
  // Each attempt: clear the last message, try, and wait for the new one.
  for (let i = 0; i < 5; i++) {
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  }
  await expect(page.getByRole('alert')).toContainText('Account locked for now');
  await expect(page.getByRole('alert')).toContainText(/Try again in \d+ s/);
});
