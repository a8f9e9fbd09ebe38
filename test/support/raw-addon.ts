import net from 'node:net';

/**
 * A bare TCP client that speaks to the add-on byte by byte, the way third-party tools do,
 * so tests control exactly what goes on the wire.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  static async authenticated(port: number, secret: string): Promise<RawConnection> {
    const conn = await RawConnection.open(port);
    await conn.send(JSON.stringify({ type: 'auth', params: { token: secret } }));
    const reply = await conn.nextReply();
    if (reply.status !== 'success') {
      conn.destroy();
      throw new Error(`auth failed: ${JSON.stringify(reply)}`);
    }
    return conn;
  }

  send(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  sendPrefixed(message: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(message));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    return this.send(Buffer.concat([header, body]));
  }

  /** The next raw (undelimited) JSON reply: complete when its top-level object closes. */
  async nextReply(timeoutMs = 30_000): Promise<{ status: string; result?: any; message?: string }> {
    return this.until(timeoutMs, () => {
      const end = endOfJsonObject(this.buffer);
      if (end < 0) return undefined;
      const text = this.buffer.subarray(0, end).toString('utf8');
      this.buffer = this.buffer.subarray(end);
      return JSON.parse(text);
    });
  }

  async nextPrefixedReply(timeoutMs = 30_000): Promise<{ status: string; result?: any; message?: string }> {
    return this.until(timeoutMs, () => {
      if (this.buffer.length < 4) return undefined;
      const size = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + size) return undefined;
      const text = this.buffer.subarray(4, 4 + size).toString('utf8');
      this.buffer = this.buffer.subarray(4 + size);
      return JSON.parse(text);
    });
  }

  /** Resolves once the server has closed the connection. */
  async closedByServer(timeoutMs = 30_000): Promise<void> {
    await this.until(timeoutMs, () => (this.closed ? true : undefined));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async until<T>(timeoutMs: number, take: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.closed) throw new Error(`connection closed; unread: ${this.buffer.toString('utf8').slice(0, 200)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
}

function endOfJsonObject(buf: Buffer): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
