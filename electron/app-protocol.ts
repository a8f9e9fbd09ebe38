import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CONTENT_SECURITY_POLICY } from './services/api/csp';
import { TRANSFER_PREFIX, type TransferRequest, type TransferResponse } from './services/files/files';

/** The panel's own origin in Electron: the renderer is served from here, and only this origin counts as the app. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://panel`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Node's URL gives custom schemes an opaque origin, so the scheme and host are compared instead. */
export function isAppOrigin(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === 'panel';
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** Privileges the scheme is registered with before the app is ready: a standard, secure origin. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, stream: true } as const;

export type Transfer = (request: TransferRequest) => Promise<TransferResponse>;

/**
 * Serves the built renderer under app://panel/, with the panel's Content-Security-Policy; nothing
 * outside `rendererDir` is reachable, whatever the path says. Files' uploads and downloads stream
 * through `transfer` under /transfer/, on the panel's own origin.
 */
export function appProtocolHandler(rendererDir: string, transfer: Transfer): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad address', { status: 400, headers });
    }
    if (isAppOrigin(url) && url.pathname.startsWith(TRANSFER_PREFIX)) {
      const length = request.headers.get('content-length');
      const answer = await transfer({
        method: request.method,
        pathname: url.pathname,
        contentLength: length === null ? null : Number(length),
        body: request.body as AsyncIterable<Uint8Array> | null,
      });
      const body = typeof answer.body === 'string' ? answer.body : (Readable.toWeb(Readable.from(answer.body)) as ReadableStream);
      return new Response(body, { status: answer.status, headers: { ...headers, ...answer.headers } });
    }
    if (!isAppOrigin(url) || request.method !== 'GET') return new Response('not found', { status: 404, headers });
    const relative = decodeURIComponent(url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) return new Response('not found', { status: 404, headers });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' } });
    } catch {
      return new Response('not found', { status: 404, headers });
    }
  };
}
