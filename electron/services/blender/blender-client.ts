import net from 'node:net';
import { AppError } from '../../../shared/errors';
import { proofFor } from './session-secret';
import {
  addonReply,
  blenderCommands,
  type BlenderCommand,
  type BlenderParams,
  type BlenderResult,
} from '../../../shared/blender';

export interface BlenderClientOptions {
  host?: string;
  port: number;
  secret: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
}

interface Pending {
  command: BlenderCommand;
  payload: Buffer;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: AppError) => void;
}

const DEFAULTS = {
  host: '127.0.0.1',
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

/**
 * One persistent, authenticated connection to one Blender's add-on.
 *
 * Requests are queued and sent one at a time (the add-on runs one command at a time anyway),
 * framed with the 4-byte length prefix so replies need no JSON scanning. A dropped connection
 * fails the request in flight (it may have run) and is re-established for the next one.
 */
export class BlenderClient {
  private readonly opts: Required<BlenderClientOptions>;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private readonly queue: Pending[] = [];
  private busy = false;
  private closed = false;

  constructor(options: BlenderClientOptions) {
    this.opts = { ...DEFAULTS, ...options };
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  async request<C extends BlenderCommand>(
    command: C,
    params: BlenderParams<C>,
    options: { timeoutMs?: number } = {},
  ): Promise<BlenderResult<C>> {
    if (this.closed) throw new AppError('BLENDER_CONNECTION_LOST', 'The Blender connection was closed');
    const spec = blenderCommands[command];
    const checked = spec.params.safeParse(params);
    if (!checked.success) {
      throw new AppError('INVALID_INPUT', `Invalid ${command} parameters: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    }
    const payload = frame({ type: command, params: checked.data });
    const raw = await new Promise<unknown>((resolve, reject) => {
      this.queue.push({ command, payload, timeoutMs: options.timeoutMs ?? this.opts.requestTimeoutMs, resolve, reject });
      void this.pump();
    });
    const result = spec.result.safeParse(raw);
    if (!result.success) {
      throw new AppError('BLENDER_PROTOCOL', `Blender answered ${command} with an unexpected shape: ${result.error.issues[0]?.message}`);
    }
    return result.data as BlenderResult<C>;
  }

  ping() { return this.request('ping', {}); }
  getSceneInfo() { return this.request('get_scene_info', {}); }
  getObjectInfo(name: string) { return this.request('get_object_info', { name }); }
  executeCode(code: string, timeoutMs?: number) {
    return this.request('execute_code', { code }, timeoutMs === undefined ? {} : { timeoutMs });
  }
  getViewportScreenshot(maxSize = 800) { return this.request('get_viewport_screenshot', { max_size: maxSize }); }

  close(): void {
    this.closed = true;
    this.drop();
    for (const job of this.queue.splice(0)) {
      job.reject(new AppError('BLENDER_CONNECTION_LOST', 'The Blender connection was closed'));
    }
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let job: Pending | undefined;
      while ((job = this.queue.shift())) {
        try {
          job.resolve(await this.exchange(job));
        } catch (error) {
          job.reject(error instanceof AppError ? error : new AppError('INTERNAL', String(error)));
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async exchange(job: Pending): Promise<unknown> {
    const socket = await this.ensureConnected();
    if (this.closed) throw new AppError('BLENDER_CONNECTION_LOST', 'The Blender connection was closed');
    const reply = await this.roundTrip(socket, job.payload, job.timeoutMs, job.command);
    if (reply.status === 'error') throw new AppError('BLENDER_COMMAND_FAILED', reply.message);
    return reply.result;
  }

  private ensureConnected(): Promise<net.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  private async open(): Promise<net.Socket> {
    const { host, port, connectTimeoutMs } = this.opts;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new AppError('BLENDER_UNREACHABLE', `Blender did not accept a connection on ${host}:${port} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      s.once('connect', () => { clearTimeout(timer); resolve(s); });
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new AppError('BLENDER_UNREACHABLE', `Blender is not reachable on ${host}:${port} (${err.code ?? err.message})`));
      });
    });
    socket.setNoDelay(true);
    socket.on('error', () => { /* surfaced through 'close' to whoever waits */ });
    socket.once('close', () => { if (this.socket === socket) this.socket = null; });
    // Challenge and proof: the secret itself never crosses the connection, which over a tcp://
    // engine is the lab's network in clear; a listener learns nothing it could use again.
    const challenge = await this.roundTrip(socket, frame({ type: 'auth_challenge' }), connectTimeoutMs, 'auth_challenge');
    const nonce = challenge.status === 'success' ? (challenge.result as { nonce?: unknown } | null)?.nonce : undefined;
    if (typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{16,64}=*$/.test(nonce)) {
      socket.destroy();
      throw new AppError('BLENDER_AUTH_REJECTED', `Blender did not give an authentication challenge${challenge.status === 'error' ? `: ${challenge.message}` : ''}`);
    }
    const reply = await this.roundTrip(socket, frame({ type: 'auth', params: { proof: proofFor(this.opts.secret, nonce) } }), connectTimeoutMs, 'auth');
    if (reply.status === 'error') {
      socket.destroy();
      throw new AppError('BLENDER_AUTH_REJECTED', `Blender refused the session secret: ${reply.message}`);
    }
    if (this.closed) {
      socket.destroy();
      throw new AppError('BLENDER_CONNECTION_LOST', 'The Blender connection was closed');
    }
    this.socket = socket;
    return socket;
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  /** Sends one framed request and reads exactly one framed reply. */
  private roundTrip(socket: net.Socket, payload: Buffer, timeoutMs: number, command: string) {
    return new Promise<ReturnType<typeof addonReply.parse>>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let expected = -1;
      const fail = (error: AppError) => {
        cleanup();
        socket.destroy();
        if (this.socket === socket) this.socket = null;
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (expected < 0 && received >= 4) {
          expected = Buffer.concat(chunks).readUInt32BE(0);
          if (expected > this.opts.maxResponseBytes) {
            fail(new AppError('BLENDER_RESPONSE_TOO_LARGE', `Blender's reply to ${command} is ${expected} bytes, over the ${this.opts.maxResponseBytes}-byte limit`));
            return;
          }
        }
        if (expected < 0 || received < 4 + expected) return;
        if (received > 4 + expected) {
          fail(new AppError('BLENDER_PROTOCOL', `Blender sent more than one reply to ${command}`));
          return;
        }
        const buffered = Buffer.concat(chunks, received);
        cleanup();
        let parsed: unknown;
        try {
          parsed = JSON.parse(buffered.subarray(4).toString('utf8'));
        } catch {
          fail(new AppError('BLENDER_PROTOCOL', `Blender's reply to ${command} is not JSON`));
          return;
        }
        const reply = addonReply.safeParse(parsed);
        if (!reply.success) {
          fail(new AppError('BLENDER_PROTOCOL', `Blender's reply to ${command} is not a protocol reply`));
          return;
        }
        resolve(reply.data);
      };
      const onClose = () => fail(new AppError('BLENDER_CONNECTION_LOST', `The connection to Blender closed during ${command}`));
      const timer = setTimeout(
        () => fail(new AppError('BLENDER_TIMEOUT', `Blender did not answer ${command} within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
      };
      socket.on('data', onData);
      socket.once('close', onClose);
      socket.write(payload);
    });
  }
}

function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}
