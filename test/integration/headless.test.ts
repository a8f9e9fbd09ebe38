import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { instanceFor, instanceLabels } from '../../electron/services/blender/naming';
import { testEngine } from '../support/blender';

// The headless panel as a browser and other local programs meet it: a real process on 127.0.0.1.
let child: ChildProcess;
let port: number;
let token: string;
let dataDir: string;
let mcpLine: string;

/** `npm run serve` on a fresh data directory: its address and its MCP line, once printed. */
async function startPanel(args: string[]): Promise<{ child: ChildProcess; url: string; mcpLine: string; stderr: () => string }> {
  dataDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'blender-lab-headless-')));
  const panel = spawn(process.execPath, ['--import', 'tsx', 'electron/serve.ts', '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  panel.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    panel.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const ready = /Panel ready at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)\n(MCP endpoint [^\n]*)\n/.exec(out);
      if (ready) resolve({ child: panel, url: ready[1]!, mcpLine: ready[2]!, stderr: () => err });
    });
    panel.once('exit', (code) => reject(new Error(`the panel exited with ${code}: ${out}${err}`)));
  });
}

beforeAll(async () => {
  const started = await startPanel(['--mcp-port', '0']);
  child = started.child;
  const url = started.url;
  mcpLine = started.mcpLine;
  port = Number(new URL(url).port);
  token = new URL(url).hash.split('token=')[1]!;
}, 60_000);

afterAll(async () => {
  child.kill('SIGTERM');
  const engine = testEngine();
  for (const c of await engine.containers.list(instanceLabels(instanceFor(dataDir)))) await engine.containers.remove(c.id);
});

function request(options: { method?: string; path?: string; host?: string; cookie?: string; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: { Host: options.host ?? `127.0.0.1:${port}`, ...(options.cookie ? { Cookie: options.cookie } : {}) } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function browserCookie(): Promise<string> {
  const res = await request({ method: 'POST', path: '/access', body: token });
  expect(res.status).toBe(204);
  return String(res.headers['set-cookie']![0]!.split(';')[0]);
}

function openApi(cookie: string, origin = `http://127.0.0.1:${port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Cookie: cookie, Origin: origin } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, method: string, input: unknown = {}): Promise<any> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString());
      if (message.id === id) {
        ws.off('message', onMessage);
        resolve(message.reply);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, input }));
  });
}

describe('the AI clients\' endpoint', () => {
  it('is announced in one line on start', () => {
    expect(mcpLine).toMatch(/^MCP endpoint at http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('on a taken port is reported plainly, and the panel still runs', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const taken = (holder.address() as net.AddressInfo).port;
    const other = await startPanel(['--mcp-port', String(taken)]);
    try {
      expect(other.mcpLine).toBe('MCP endpoint not open (see above)');
      expect(other.stderr()).toContain(`The AI clients' endpoint is not open: The AI clients' port ${taken} is taken by another program`);
      expect(other.child.exitCode).toBeNull();
    } finally {
      other.child.kill('SIGTERM');
      holder.close();
    }
  });
});

describe('the browser\'s access', () => {
  it('is a random id of its own, never the printed token, and lasts as long as a sign-in may', async () => {
    const res = await request({ method: 'POST', path: '/access', body: token });
    const cookie = res.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^blender_lab_browser=[A-Za-z0-9_-]{32};/);
    expect(cookie).not.toContain(token);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain(`Max-Age=${12 * 3600}`);
    expect((await request({ path: '/index.html', cookie: cookie.split(';')[0] })).status).toBe(200);
    // The token itself is no key to anything but /access.
    expect((await request({ path: '/index.html', cookie: `blender_lab_browser=${token}` })).status).toBe(403);
  });

  it('is refused under any host name but 127.0.0.1 or localhost with our port (DNS rebinding)', async () => {
    const cookie = await browserCookie();
    expect((await request({ path: '/', host: `attacker.example:${port}`, cookie })).status).toBe(403);
    expect((await request({ path: '/', host: '127.0.0.1', cookie })).status).toBe(403);
    expect((await request({ method: 'POST', path: '/access', host: `rebind.example:${port}`, body: token })).status).toBe(403);
    expect((await request({ path: '/index.html', host: `localhost:${port}`, cookie })).status).toBe(200);
    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Cookie: cookie, Origin: `http://attacker.example:${port}`, Host: `attacker.example:${port}` } });
      ws.once('open', () => resolve(false));
      ws.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('bad input from one tab', () => {
  it('a message over the size limit closes that tab\'s connection only; the panel keeps serving others', async () => {
    const cookie = await browserCookie();
    const other = await openApi(cookie);
    const noisy = await openApi(cookie);
    const closed = new Promise<number>((resolve) => noisy.once('close', (code) => resolve(code)));
    noisy.on('error', () => {});
    noisy.send('x'.repeat(3 * 1024 * 1024));
    expect(await closed).toBe(1009); // message too big
    expect(child.exitCode).toBeNull();
    expect(await call(other, 'auth.whoAmI')).toEqual({ ok: true, value: null });
    other.close();
  });

  it.each([
    ['null', 'A message must be a JSON object with id, method and input'],
    ['[1,2]', 'A message must be a JSON object with id, method and input'],
    ['{"id":{"x":1},"method":"auth.whoAmI"}', 'A message id must be a number or text'],
    ['not json', 'Messages must be JSON'],
  ])('%s gets "%s" and the connection stays usable', async (raw, message) => {
    const ws = await openApi(await browserCookie());
    const reply = new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws.send(raw);
    expect(await reply).toEqual({ id: null, reply: { ok: false, error: { code: 'INVALID_INPUT', message } } });
    expect(await call(ws, 'auth.whoAmI')).toEqual({ ok: true, value: null });
    ws.close();
  });
});
