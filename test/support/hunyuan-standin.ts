import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Tencent Cloud's Hunyuan3D API (https://hunyuan.tencentcloudapi.com): every call a
 * POST to / with X-TC-Action and a TC3-HMAC-SHA256 signature it checks against the secret key as
 * Tencent documents; SubmitHunyuanTo3DJob → a JobId; QueryHunyuanTo3DJob → RUN, then DONE with a
 * ResultFile3Ds zip of an OBJ after `pollsUntilDone` queries. Errors come as Tencent's do: 200 with
 * Response.Error.
 */
export class HunyuanStandIn {
  readonly submitted: Record<string, unknown>[] = [];
  pollsUntilDone = 2;
  private readonly jobs = new Map<string, number>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly server = http.createServer((req, res) => this.answer(req, res));

  constructor(readonly secretId: string, private readonly secretKey: string, private readonly result: Buffer) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const blob = this.blobs.get(req.url ?? '');
    if (blob) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': blob.length });
      return void res.end(blob);
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const refused = this.checkSignature(req, body);
      if (refused) return this.json(res, { Error: { Code: 'AuthFailure.SignatureFailure', Message: refused } });
      const action = req.headers['x-tc-action'];
      const input = JSON.parse(body) as Record<string, unknown>;
      if (action === 'SubmitHunyuanTo3DJob') {
        this.submitted.push(input);
        const id = randomUUID().replace(/-/g, '').slice(0, 20);
        this.jobs.set(id, 0);
        return this.json(res, { JobId: id, RequestId: randomUUID() });
      }
      if (action === 'QueryHunyuanTo3DJob') {
        const id = String(input.JobId);
        const polls = (this.jobs.get(id) ?? -1) + 1;
        if (polls === 0) return this.json(res, { Error: { Code: 'ResourceNotFound', Message: `No job ${id}` } });
        this.jobs.set(id, polls);
        if (polls < this.pollsUntilDone) return this.json(res, { Status: 'RUN', RequestId: randomUUID() });
        const path = `/results/${id}.zip`;
        this.blobs.set(path, this.result);
        return this.json(res, { Status: 'DONE', ResultFile3Ds: [{ Type: 'OBJ', Url: `${this.url}${path}`, PreviewImageUrl: `${this.url}/results/${id}.png` }], RequestId: randomUUID() });
      }
      this.json(res, { Error: { Code: 'InvalidAction', Message: `No action ${String(action)}` } });
    });
  }

  /** Tencent's signature v3, recomputed from the request: null when it is right, else why not. */
  private checkSignature(req: http.IncomingMessage, body: string): string | null {
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/hunyuan\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=([a-f0-9]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return 'The Authorization header is not a TC3-HMAC-SHA256 signature';
    if (auth[1] !== this.secretId) return 'The SecretId is unknown';
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== auth[2]) return 'The date does not match the timestamp';
    const hex = (s: string) => createHash('sha256').update(s).digest('hex');
    const mac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
    const headers = `content-type:${req.headers['content-type']}\nhost:${req.headers.host}\nx-tc-action:${String(req.headers['x-tc-action']).toLowerCase()}\n`;
    const canonical = `POST\n/\n\n${headers}\ncontent-type;host;x-tc-action\n${hex(body)}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${auth[2]}/hunyuan/tc3_request\n${hex(canonical)}`;
    const key = mac(mac(mac(`TC3${this.secretKey}`, auth[2]!), 'hunyuan'), 'tc3_request');
    return createHmac('sha256', key).update(toSign).digest('hex') === auth[3] ? null : 'The signature does not match';
  }

  private json(res: http.ServerResponse, response: unknown): void {
    const text = JSON.stringify({ Response: response });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
