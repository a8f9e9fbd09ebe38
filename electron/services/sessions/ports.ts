import net from 'node:net';
import { AppError } from '../../../shared/errors';

export interface PortPair {
  addon: number;
  ui: number;
}

export interface PortRanges {
  addonPortBase: number;
  uiPortBase: number;
  portRangeSize: number;
}

/** True when nothing holds `port` on 127.0.0.1 (we can bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Hands out (add-on, UI) port pairs from the configured ranges: slot i is (addonBase+i, uiBase+i).
 * A slot is reserved before it is probed, so concurrent sign-ins never get the same ports;
 * a port something else holds is skipped.
 */
export class PortAllocator {
  private readonly owners = new Map<string, PortPair>();

  constructor(
    private readonly ranges: () => PortRanges,
    private readonly probe: (port: number) => Promise<boolean> = isPortFree,
  ) {}

  /** Ports for `owner`: `preferred` if it is in range and free, else the first free slot. */
  async allocate(owner: string, preferred?: PortPair | null): Promise<PortPair> {
    this.free(owner);
    const { addonPortBase, uiPortBase, portRangeSize } = this.ranges();
    const candidates: PortPair[] = [];
    if (preferred && this.inRange(preferred)) candidates.push(preferred);
    for (let i = 0; i < portRangeSize; i++) candidates.push({ addon: addonPortBase + i, ui: uiPortBase + i });
    for (const pair of candidates) {
      if (this.taken(pair)) continue;
      this.owners.set(owner, pair);
      if ((await this.probe(pair.addon)) && (await this.probe(pair.ui))) return pair;
      this.owners.delete(owner);
    }
    throw new AppError(
      'PORT_EXHAUSTED',
      `No free ports left: all ${portRangeSize} slots from ${addonPortBase} (add-on) and ${uiPortBase} (UI) are in use. Stop idle sessions or widen the range in settings.`,
    );
  }

  /** Records ports already in use by one of ours (an adopted container). */
  claim(owner: string, pair: PortPair): void {
    this.owners.set(owner, pair);
  }

  free(owner: string): void {
    this.owners.delete(owner);
  }

  private taken(pair: PortPair): boolean {
    for (const p of this.owners.values()) if (p.addon === pair.addon || p.ui === pair.ui) return true;
    return false;
  }

  private inRange(pair: PortPair): boolean {
    const { addonPortBase, uiPortBase, portRangeSize } = this.ranges();
    const i = pair.addon - addonPortBase;
    return i >= 0 && i < portRangeSize && pair.ui === uiPortBase + i;
  }
}
