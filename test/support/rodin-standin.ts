import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A stand-in for Hyper3D Rodin's main-site API (https://hyperhuman.deemos.com/api, as blender-mcp's
 * client calls it): `Authorization: Bearer …`; POST /v2/rodin (multipart: prompt or images, tier,
 * mesh_mode, bbox_condition) → a task and a subscription key; POST /v2/status → each job's status,
 * Done after `pollsUntilDone` polls; POST /v2/download → the files, among them a .glb.
 */
export interface ReceivedJob {
  prompt: string | null;
  images: { name: string; bytes: Buffer }[];
  fields: Record<string, string>;
}

export class RodinStandIn {
  readonly jobs: ReceivedJob[] = [];
  readonly requests: { path: string; authorization: string | undefined }[] = [];
  pollsUntilDone = 2;
  private readonly tasks = new Map<string, { key: string; polls: number }>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly server = http.createServer((req, res) => void this.answer(req, res));

  constructor(readonly key: string, private readonly model: Buffer) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `${this.base}/api`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.base).pathname;
    this.requests.push({ path, authorization: req.headers.authorization });
    const blob = this.blobs.get(path);
    if (blob) {
      res.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': blob.length });
      return void res.end(blob);
    }
    if (req.headers.authorization !== `Bearer ${this.key}`) return this.json(res, 401, { error: 'Unauthorized' });
    const request = new Request(`${this.base}${path}`, { method: req.method, headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } as RequestInit);
    if (path === '/api/v2/rodin') return this.json(res, 201, await this.submit(await request.formData()));
    const body = (await request.json()) as Record<string, string>;
    if (path === '/api/v2/status') {
      const task = [...this.tasks.values()].find((t) => t.key === body.subscription_key);
      if (!task) return this.json(res, 404, { error: 'No such subscription' });
      task.polls += 1;
      const status = task.polls >= this.pollsUntilDone ? 'Done' : 'Generating';
      return this.json(res, 200, { jobs: [{ uuid: randomUUID(), status }, { uuid: randomUUID(), status }] });
    }
    if (path === '/api/v2/download') {
      const task = this.tasks.get(body.task_uuid ?? '');
      if (!task || task.polls < this.pollsUntilDone) return this.json(res, 200, { list: [] });
      const file = `/results/${body.task_uuid}/base_basic_shaded.glb`;
      this.blobs.set(file, this.model);
      return this.json(res, 200, { list: [{ name: 'preview.webp', url: `${this.base}/results/preview.webp` }, { name: 'base_basic_shaded.glb', url: `${this.base}${file}` }] });
    }
    this.json(res, 404, { error: 'Not found' });
  }

  private async submit(form: FormData): Promise<unknown> {
    const images = await Promise.all(form.getAll('images').map(async (f) => ({ name: (f as File).name, bytes: Buffer.from(await (f as File).arrayBuffer()) })));
    const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string') as [string, string][]);
    this.jobs.push({ prompt: fields.prompt ?? null, images, fields });
    const uuid = randomUUID();
    const key = randomUUID();
    this.tasks.set(uuid, { key, polls: 0 });
    return { uuid, jobs: { uuids: [randomUUID(), randomUUID()], subscription_key: key }, submit_time: true };
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
