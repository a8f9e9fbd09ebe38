import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../../electron/services/sessions/ports';

// Real sockets on 127.0.0.1, in a range of its own.
const held: net.Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function hold(port: number) {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  held.push(server);
}

const ranges = { addonPortBase: 47100, uiPortBase: 47200, portRangeSize: 3 };

describe('PortAllocator', () => {
  it('hands out slot by slot and never the same pair twice, even when asked at once', async () => {
    const ports = new PortAllocator(() => ranges);
    const pairs = await Promise.all(['a', 'b', 'c'].map((owner) => ports.allocate(owner)));
    expect(pairs.map((p) => p.addon).sort()).toEqual([47100, 47101, 47102]);
    expect(pairs.every((p) => p.ui === p.addon + 100)).toBe(true);
  });

  it('skips a slot whose add-on or UI port another program holds', async () => {
    await hold(47100);
    await hold(47201);
    const ports = new PortAllocator(() => ranges);
    expect(await ports.allocate('a')).toEqual({ addon: 47102, ui: 47202 });
  });

  it('keeps a preferred pair when it is free, and gives it up when it is not', async () => {
    const ports = new PortAllocator(() => ranges);
    expect(await ports.allocate('a', { addon: 47102, ui: 47202 })).toEqual({ addon: 47102, ui: 47202 });
    await hold(47101);
    expect(await ports.allocate('b', { addon: 47101, ui: 47201 })).toEqual({ addon: 47100, ui: 47200 });
  });

  it('says the range is exhausted, and frees a slot on release', async () => {
    const ports = new PortAllocator(() => ranges);
    for (const owner of ['a', 'b', 'c']) await ports.allocate(owner);
    await expect(ports.allocate('d')).rejects.toMatchObject({
      code: 'PORT_EXHAUSTED',
      message: 'No free ports left: all 3 slots from 47100 (add-on) and 47200 (UI) are in use. Stop idle sessions or widen the range in settings.',
    });
    ports.free('b');
    expect(await ports.allocate('d')).toEqual({ addon: 47101, ui: 47201 });
  });

  it('probes by binding', async () => {
    expect(await isPortFree(47150)).toBe(true);
    await hold(47150);
    expect(await isPortFree(47150)).toBe(false);
  });
});
