import net from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../../../shared/errors';

/**
 * Local 127.0.0.1 ports that each lead to a port of the engine's host: every connection made to
 * one is carried by a stream `open` makes (an SSH channel, or a TCP connection to the address a
 * TLS engine publishes on). The browser frame and the add-on client only ever see 127.0.0.1.
 */
export class Tunnels {
  private readonly open = new Map<number, { server: net.Server; sockets: Set<net.Socket> }>();

  constructor(private readonly connectTo: (enginePort: number) => Promise<Duplex>) {}

  async forward(localPort: number, enginePort: number): Promise<void> {
    this.close(localPort);
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      this.connectTo(enginePort).then(
        (stream) => {
          if (socket.destroyed) return void stream.destroy();
          stream.on('error', () => socket.destroy());
          stream.on('close', () => socket.destroy());
          socket.on('close', () => stream.destroy());
          socket.pipe(stream).pipe(socket);
          socket.resume();
        },
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new AppError('PORT_TAKEN', `Port ${localPort} is already taken on this machine, so the session's tunnel could not open`) : error),
      );
      server.listen({ host: '127.0.0.1', port: localPort, exclusive: true }, resolve);
    });
    this.open.set(localPort, { server, sockets });
  }

  /** Stops listening on `localPort` and cuts what went through it. */
  close(localPort: number): void {
    const tunnel = this.open.get(localPort);
    if (!tunnel) return;
    this.open.delete(localPort);
    tunnel.server.close();
    for (const socket of tunnel.sockets) socket.destroy();
  }

  closeAll(): void {
    for (const port of [...this.open.keys()]) this.close(port);
  }
}

/** Tunnels to a TLS engine's session ports: plain TCP to the address it publishes them on, gated by each session's secret. */
export function relayTo(host: string): Tunnels {
  return new Tunnels(
    (port) =>
      new Promise<Duplex>((resolve, reject) => {
        const socket = net.connect({ host, port }, () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      }),
  );
}
