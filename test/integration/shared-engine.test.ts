import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';

// Several workstations' panels on one engine (the way a lab shares a server): each panel has its
// own data directory (its own instance) and the same default port ranges.
const engine = testEngine();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

const panel = async () => {
  const h = new Harness(engine, { addonPortBase: 26000, uiPortBase: 46000, portRangeSize: 20 });
  harnesses.push(h);
  return h.init();
};

describe('panels sharing one engine', () => {
  it('each lists, adopts and stops only its own Blenders, and the names never collide', async () => {
    const seatA = await panel();
    const seatB = await panel();
    // The same name at both seats: two different people.
    const { user: adaA } = await seatA.user('ada');
    const { user: adaB } = await seatB.user('ada');
    const [a, b] = await Promise.all([seatA.sessions.start(adaA), seatB.sessions.start(adaB)]);
    expect(a.containerName).not.toBe(b.containerName);
    expect([a.ports!.addon, a.ports!.ui]).not.toContain(b.ports!.addon);
    expect(seatA.sessions.list().map((s) => s.containerName)).toEqual([a.containerName]);
    expect(seatB.sessions.list().map((s) => s.containerName)).toEqual([b.containerName]);

    // Seat B quits and stops everything it runs: seat A's Blender goes on.
    await seatB.sessions.stopAll('quit');
    expect((await engine.containers.inspect(a.containerName))?.running).toBe(true);
    expect(seatA.sessions.get(adaA.id)?.state).toBe('ready');

    // Seat A's panel crashes and comes back: it adopts its own Blender and nobody else's.
    await seatA.crashAndRestart();
    await seatB.sessions.start(adaB);
    await seatA.sessions.reconcile();
    expect(seatA.sessions.list().map((s) => [s.containerName, s.state])).toEqual([[a.containerName, 'ready']]);
    expect(await seatA.sessions.command(adaA.id, 'ping', {})).toMatchObject({ pong: true });

    // Seat B removes its person's data: seat A's container and volume stay.
    await seatB.sessions.deleteUserData(adaB.id, 'ada');
    expect(await engine.containers.inspect(b.containerName)).toBeNull();
    expect((await engine.containers.inspect(a.containerName))?.running).toBe(true);
    expect((await engine.volumes.list(seatA.labels())).filter((v) => v.startsWith('blender-data-'))).toHaveLength(1);
  });
});
