import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Sketchfab's Data API v3 (https://api.sketchfab.com/v3, as its documentation and
 * blender-mcp's client use it): `Authorization: Token …` on every call, /me, /search, /models/{uid}
 * and /models/{uid}/download, whose answer points at an archive served without the key.
 */
export interface StandInModel {
  uid: string;
  name: string;
  user: { username: string; displayName?: string };
  license?: { label: string };
  isDownloadable: boolean;
  thumbnails: { images: { url: string; width: number; height: number }[] };
  /** The glTF archive the download answer points at. */
  archive?: Buffer;
}

export class SketchfabStandIn {
  readonly requests: { url: URL; authorization: string | undefined }[] = [];
  private readonly blobs = new Map<string, { bytes: Buffer; type: string }>();
  private readonly server = http.createServer((req, res) => this.answer(req, res));

  constructor(readonly models: StandInModel[], readonly key: string, readonly username = 'ada_3d') {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The API's address, as the setting sketchfabUrl names it. */
  get url(): string {
    return `${this.base}/v3`;
  }

  serve(name: string, bytes: Buffer, type = 'application/octet-stream'): string {
    const path = `/files/${this.blobs.size}/${name}`;
    this.blobs.set(path, { bytes, type });
    return `${this.base}${path}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.base);
    this.requests.push({ url, authorization: req.headers.authorization });
    const blob = this.blobs.get(url.pathname);
    if (blob) {
      res.writeHead(200, { 'content-type': blob.type, 'content-length': blob.bytes.length });
      return void res.end(blob.bytes);
    }
    if (!url.pathname.startsWith('/v3/')) return this.json(res, 404, { detail: 'Not found.' });
    if (req.headers.authorization !== `Token ${this.key}`) return this.json(res, 401, { detail: 'Invalid token.' });
    const path = url.pathname.slice(3);
    if (path === '/me') return this.json(res, 200, { username: this.username, displayName: 'Ada' });
    if (path === '/search') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const downloadable = url.searchParams.get('downloadable') === 'true';
      const results = this.models.filter((m) => m.name.toLowerCase().includes(q) && (!downloadable || m.isDownloadable)).slice(0, Number(url.searchParams.get('count') ?? 24));
      return this.json(res, 200, { results: results.map(({ archive: _archive, ...m }) => ({ ...m, uri: `${this.url}/models/${m.uid}`, viewerUrl: `https://sketchfab.com/3d-models/${m.uid}` })), next: null, previous: null });
    }
    const model = /^\/models\/([a-f0-9]{32})(\/download)?$/.exec(path);
    const found = model && this.models.find((m) => m.uid === model[1]);
    if (!found) return this.json(res, 404, { detail: 'Not found.' });
    if (!model[2]) return this.json(res, 200, { ...found, archive: undefined });
    if (!found.isDownloadable || !found.archive) return this.json(res, 403, { detail: 'You do not have permission to perform this action.' });
    return this.json(res, 200, { gltf: { url: this.serve(`${found.uid}.zip`, found.archive, 'application/zip'), size: found.archive.length, expires: 300 } });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
