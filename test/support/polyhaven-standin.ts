import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for PolyHaven's public API (https://api.polyhaven.com, as its swagger.yml documents
 * it): the same paths, query parameters and JSON shapes, with a catalogue the test gives. It can
 * also misbehave on demand, as an outside server may.
 */
export interface StandInAsset {
  name: string;
  /** 0 HDRI, 1 texture, 2 model, as PolyHaven numbers them. */
  type: 0 | 1 | 2;
  categories: string[];
  authors: Record<string, string>;
  download_count: number;
  thumbnail_url?: string;
}

export type Misbehaviour = 'none' | 'stall' | 'html' | 'huge' | 'not-json' | 'wrong-shape';

/** A file as /files/{id} lists it. */
export interface ListedFile {
  url: string;
  md5: string;
  size: number;
  include?: Record<string, ListedFile>;
}

const TYPE_NAMES = ['hdris', 'textures', 'models'];

export class PolyHavenStandIn {
  /** Every request as it came: path and query. */
  readonly requests: URL[] = [];
  misbehave: Misbehaviour = 'none';
  /** /files/{id} answers, by asset id. */
  readonly fileTrees = new Map<string, unknown>();
  private readonly blobs = new Map<string, { bytes: Buffer; type: string }>();
  private readonly server: http.Server;
  private readonly open = new Set<http.ServerResponse>();

  constructor(readonly catalogue: Record<string, StandInAsset>) {
    this.server = http.createServer((req, res) => this.answer(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serves `bytes` at a download address of its own and lists it as PolyHaven does: address, MD5 and size. */
  serve(name: string, bytes: Buffer, type = 'application/octet-stream'): ListedFile {
    const path = `/dl/${this.blobs.size}/${name}`;
    this.blobs.set(path, { bytes, type });
    return { url: `${this.url}${path}`, md5: createHash('md5').update(bytes).digest('hex'), size: bytes.length };
  }

  /** How many times the file at `url` was asked for. */
  fetchesOf(url: string): number {
    const path = new URL(url).pathname;
    return this.requests.filter((r) => r.pathname === path).length;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(url);
    if (this.misbehave === 'stall') {
      this.open.add(res); // holds the request open, saying nothing
      return;
    }
    if (this.misbehave === 'html') return this.send(res, 200, '<html>maintenance</html>', 'text/html');
    if (this.misbehave === 'not-json') return this.send(res, 200, '{"unfinished":', 'application/json');
    if (this.misbehave === 'huge') return this.sendEndless(res);
    const blob = this.blobs.get(url.pathname);
    if (blob) {
      res.writeHead(200, { 'content-type': blob.type, 'content-length': blob.bytes.length });
      return void res.end(blob.bytes);
    }
    const body = this.route(url);
    if (body === undefined) return this.send(res, 404, JSON.stringify({ error: 'Not found' }), 'application/json');
    this.send(res, 200, JSON.stringify(this.misbehave === 'wrong-shape' ? ['not', 'what', 'is', 'documented'] : body), 'application/json');
  }

  private route(url: URL): unknown {
    if (url.pathname === '/types') return TYPE_NAMES;
    const categories = /^\/categories\/(hdris|textures|models|all)$/.exec(url.pathname);
    if (categories) return this.categories(categories[1]!);
    if (url.pathname === '/assets') return this.assets(url.searchParams.get('type'), url.searchParams.get('categories'));
    const files = /^\/files\/([^/]+)$/.exec(url.pathname);
    if (files) return this.fileTrees.get(decodeURIComponent(files[1]!));
    return undefined;
  }

  private categories(type: string): Record<string, number> {
    if (type === 'all') return Object.fromEntries(TYPE_NAMES.map((name, i) => [name, Object.values(this.catalogue).filter((a) => a.type === i).length]));
    const counts: Record<string, number> = {};
    const ofType = Object.values(this.catalogue).filter((a) => TYPE_NAMES[a.type] === type);
    counts.all = ofType.length;
    for (const asset of ofType) for (const c of asset.categories) counts[c] = (counts[c] ?? 0) + 1;
    return counts;
  }

  private assets(type: string | null, categories: string | null): Record<string, StandInAsset> {
    const wanted = categories ? categories.split(',') : [];
    return Object.fromEntries(
      Object.entries(this.catalogue).filter(([, a]) => (!type || type === 'all' || TYPE_NAMES[a.type] === type) && wanted.every((c) => a.categories.includes(c))),
    );
  }

  private send(res: http.ServerResponse, status: number, body: string, type: string): void {
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** An answer that never ends and declares no length: only the reader's own cap stops it. */
  private sendEndless(res: http.ServerResponse): void {
    this.open.add(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const more = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', more);
    };
    res.write('{"a":"');
    more();
  }
}
