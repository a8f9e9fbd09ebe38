import net from 'node:net';

/** The floor: a bare socket that authenticates and pings, with none of the client's machinery. */
export class RawPing {
  private constructor(private readonly socket: net.Socket) {}

  static async open(port: number, secret: string, timeoutMs = 2_000): Promise<RawPing> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.setTimeout(timeoutMs, () => s.destroy(new Error('timeout')));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    socket.setTimeout(0);
    const raw = new RawPing(socket);
    const auth = await raw.call({ type: 'auth', params: { token: secret } });
    if (!auth.includes('"success"')) throw new Error(`auth failed: ${auth}`);
    return raw;
  }

  /** One length-prefixed request, one reply, as text. */
  call(message: unknown): Promise<string> {
    const body = Buffer.from(JSON.stringify(message));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    return new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          this.socket.off('data', onData);
          this.socket.off('close', onClose);
          resolve(buf.subarray(4).toString('utf8'));
        }
      };
      const onClose = () => reject(new Error('closed'));
      this.socket.on('data', onData);
      this.socket.once('close', onClose);
      this.socket.write(Buffer.concat([head, body]));
    });
  }

  close() {
    this.socket.destroy();
  }
}

/** Polls until the add-on answers a ping over a raw socket; returns ms since `since`. */
export async function rawFirstAnswer(port: number, secret: string, since: number, timeoutMs = 180_000): Promise<number> {
  for (;;) {
    try {
      const raw = await RawPing.open(port, secret);
      const reply = await raw.call({ type: 'ping', params: {} });
      raw.close();
      if (reply.includes('"success"')) return Date.now() - since;
    } catch {
      // not up yet
    }
    if (Date.now() - since > timeoutMs) throw new Error('Blender never answered');
    await new Promise((r) => setTimeout(r, 50));
  }
}
