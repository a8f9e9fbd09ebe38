// Headless mode (npm run serve): the panel's API over a WebSocket on 127.0.0.1 and the renderer
// over HTTP, for machines without a display and for end-to-end tests. Plain Node: no Electron.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { createApp, defaultDataDir } from './services/app/app';
import { CONTENT_SECURITY_POLICY } from './services/api/csp';
import { bodyText } from './services/api/http-body';
import { TRANSFER_PREFIX } from './services/files/files';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string', default: defaultDataDir() },
    'renderer-dir': { type: 'string', default: path.join(root, 'out', 'renderer') },
    'mcp-port': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0 picks a free one), not ${values.port}`);
  process.exit(2);
}
const mcpPort = values['mcp-port'] === undefined ? undefined : Number(values['mcp-port']);
if (mcpPort !== undefined && (!Number.isInteger(mcpPort) || mcpPort < 0 || mcpPort > 65535)) {
  console.error(`--mcp-port must be a port number (0 picks a free one), not ${values['mcp-port']}`);
  process.exit(2);
}
const rendererDir = path.resolve(values['renderer-dir']);

const token = randomBytes(24).toString('base64url');
// The browser gets a random id of its own for the printed token, never the token itself: cookies
// ignore ports, so every server on 127.0.0.1 the browser visits would receive it.
const COOKIE = 'blender_lab_browser';
const browsers = new Map<string, number>(); // browser id → when it expires (ms)
/** The largest API message a tab may send (Python code is at most 1 MiB of it). */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

function isToken(candidate: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function newBrowser(lifetimeMs: number): string {
  const id = randomBytes(24).toString('base64url');
  browsers.set(id, Date.now() + lifetimeMs);
  return id;
}

function hasAccess(req: http.IncomingMessage): boolean {
  const id = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1) ?? '';
  const expires = browsers.get(id);
  if (expires === undefined) return false;
  if (Date.now() >= expires) {
    browsers.delete(id);
    return false;
  }
  return true;
}

/** Only the loopback names of our own port: a page on another site that rebinds its DNS to 127.0.0.1 gets nothing. */
function hostAllowed(req: http.IncomingMessage, port: number): boolean {
  return req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
}

// The only thing served without the token: a page that trades the token in the URL fragment
// (never sent over HTTP) for a cookie, then reloads.
const BOOT_PAGE = `<!doctype html><meta charset="utf-8"><title>Blender Lab</title><script src="/boot.js"></script>`;
const BOOT_SCRIPT = `(async () => {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) { document.body.textContent = 'Open the address the panel printed, including its #token part.'; return; }
  const res = await fetch('/access', { method: 'POST', body: token, credentials: 'same-origin' });
  if (!res.ok) { document.body.textContent = 'This address is out of date: open the one the panel printed last.'; return; }
  history.replaceState(null, '', '/');
  location.reload();
})();`;

async function main() {
  const app = await createApp({ dataDir: values['data-dir'], imageContextDir: path.join(root, 'docker'), mcpPort });
  for (const problem of app.problems) console.error(`[blender-lab] ${problem}`);

  const listeningPort = () => (server.address() as { port: number }).port;
  // An upload of gigabytes takes longer than Node's default five minutes for a whole request;
  // headers still have to arrive within headersTimeout (60 s), so a stalled client is dropped.
  const server = http.createServer({ requestTimeout: 0 }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const security = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if (!hostAllowed(req, listeningPort())) {
      res.writeHead(403, security).end('wrong host');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/access') {
      if (!isToken((await bodyText(req, 256)) ?? '')) {
        res.writeHead(403, security).end('wrong token');
        return;
      }
      const lifetimeS = app.settings.get().signInMaxHours * 3600;
      const id = newBrowser(lifetimeS * 1000);
      res.writeHead(204, { ...security, 'Set-Cookie': `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${lifetimeS}` }).end();
      return;
    }
    if (url.pathname.startsWith(TRANSFER_PREFIX) && hasAccess(req)) {
      await sendTransfer(req, res, url.pathname, security);
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, security).end();
      return;
    }
    if (!hasAccess(req)) {
      if (url.pathname === '/boot.js') res.writeHead(200, { ...security, 'Content-Type': TYPES['.js']! }).end(BOOT_SCRIPT);
      else if (url.pathname === '/') res.writeHead(200, { ...security, 'Content-Type': TYPES['.html']! }).end(BOOT_PAGE);
      else res.writeHead(403, security).end();
      return;
    }
    const relative = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = path.resolve(rendererDir, relative);
    if (!file.startsWith(rendererDir + path.sep)) {
      res.writeHead(404, security).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...security, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, security).end();
    }
  });

  /** An upload streams from the request into the person's home; a download streams back: neither is held whole. */
  async function sendTransfer(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, security: Record<string, string>) {
    const length = req.headers['content-length'];
    const answer = await app.files.transfer({
      method: req.method ?? 'GET',
      pathname,
      contentLength: length === undefined ? null : Number(length),
      body: req.method === 'PUT' ? req : null,
    });
    res.writeHead(answer.status, { ...security, ...answer.headers });
    if (typeof answer.body === 'string') {
      res.end(answer.body);
      if (req.method === 'PUT' && !req.readableEnded) req.resume(); // a refused upload is read off, not left to reset the reply
      return;
    }
    try {
      await pipeline(Readable.from(answer.body), res);
    } catch {
      res.destroy(); // the browser sees a failed download, never a silently short file
    }
  }

  // No input from a client may end the process: every socket the panel owns handles its errors.
  server.on('clientError', (_error, socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', (error) => console.error(`[blender-lab] WebSocket server: ${error.message}`));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const sameOrigin = req.headers.origin === `http://${req.headers.host}`;
    if (!hostAllowed(req, listeningPort()) || new URL(req.url ?? '/', 'http://x').pathname !== '/api' || !hasAccess(req) || !sameOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket) {
    const connection = app.api.connect((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    // ws closes the socket itself after an error (a message over maxPayload, a bad frame); the
    // close handler below then ends that tab's sign-in. Only this connection is affected.
    ws.on('error', (error) => console.error(`[blender-lab] a panel connection failed: ${error.message}`));
    ws.on('message', async (data) => {
      const message = parseMessage(data.toString());
      if (typeof message === 'string') {
        ws.send(JSON.stringify({ id: null, reply: { ok: false, error: { code: 'INVALID_INPUT', message } } }));
        return;
      }
      const reply = await connection.call(message.method, message.input);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message.id ?? null, reply }));
    });
    ws.on('close', () => connection.close());
  }

  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(`[blender-lab] cannot serve on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'the port is taken (choose another with --port, or 0 for any free one)' : error.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const actual = (server.address() as { port: number }).port;
    app.mcp.allowOrigins([`http://127.0.0.1:${actual}`, `http://localhost:${actual}`]);
    console.log(`Panel ready at http://127.0.0.1:${actual}/#token=${token}`);
    const mcpUrl = app.mcp.url();
    console.log(mcpUrl ? `MCP endpoint at ${mcpUrl}` : 'MCP endpoint not open (see above)');
  });

  const shutdown = async () => {
    server.close();
    wss.close();
    await app.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

/** A call from a tab, or what is wrong with it. */
function parseMessage(text: string): { id?: unknown; method?: unknown; input?: unknown } | string {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return 'Messages must be JSON';
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return 'A message must be a JSON object with id, method and input';
  const { id } = message as { id?: unknown };
  if (id !== undefined && typeof id !== 'number' && typeof id !== 'string') return 'A message id must be a number or text';
  return message as { id?: unknown; method?: unknown; input?: unknown };
}


main().catch((error) => {
  console.error(`[blender-lab] could not start: ${(error as Error).message}`);
  process.exit(1);
});
