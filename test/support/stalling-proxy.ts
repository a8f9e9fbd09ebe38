import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A socket in front of the real Docker engine that passes everything through, except requests
 * whose request line matches a pattern the test sets: those are held back, unanswered (as by a
 * hung engine), until `thaw`; and event streams can be frozen, so the panel hears of nothing.
 */
export class StallingProxy {
  readonly socketPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'blender-lab-proxy-')), 'docker.sock');
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private stalls: RegExp[] = [];
  private frozen = false;
  private readonly eventStreams = new Set<{ pending: Buffer[]; client: net.Socket }>();
  private readonly held = new Set<{ chunks: Buffer[]; upstream: net.Socket }>();

  constructor(private readonly target = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock') {
    this.server = net.createServer((client) => this.relay(client));
  }

  get endpoint(): string {
    return `unix://${this.socketPath}`;
  }

  listen(): Promise<this> {
    return new Promise((resolve) => this.server.listen(this.socketPath, () => resolve(this)));
  }

  /** Requests whose first line ("POST /v1.43/containers/ID/stop?t=120 HTTP/1.1") matches get no answer from now on. */
  stall(pattern: RegExp): void {
    this.stalls.push(pattern);
  }

  /** The engine's events reach nobody until `thaw`, then arrive in order. */
  freezeEvents(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.stalls = [];
    this.frozen = false;
    for (const held of this.held) for (const chunk of held.chunks.splice(0)) held.upstream.write(chunk);
    this.held.clear();
    for (const stream of this.eventStreams) for (const chunk of stream.pending.splice(0)) stream.client.write(chunk);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target);
    this.sockets.add(client).add(upstream);
    let held: { chunks: Buffer[]; upstream: net.Socket } | null = null;
    let events: { pending: Buffer[]; client: net.Socket } | null = null;
    client.on('data', (chunk: Buffer) => {
      const line = /^(GET|POST|PUT|DELETE|HEAD) \S+ HTTP\/1\.[01]/.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 2048)))?.[0];
      if (line && this.stalls.some((p) => p.test(line))) {
        held = { chunks: [], upstream };
        this.held.add(held);
      }
      if (line && /\/events\b/.test(line)) {
        events = { pending: [], client };
        this.eventStreams.add(events);
      }
      if (held && this.held.has(held)) held.chunks.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (events && this.frozen) events.pending.push(chunk);
      else client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      if (events) this.eventStreams.delete(events);
      if (held) this.held.delete(held);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
