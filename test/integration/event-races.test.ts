import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerEvent, ContainerSummary } from '../../electron/services/engine/engine';
import type { SessionState } from '../../shared/sessions';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';

/**
 * The real engine, with two faults it cannot produce on demand: an event delivered late (after the
 * container it is about was replaced), and a container listing that went stale while it waited.
 */
const engine = testEngine();
const faults = {
  deliver: null as ((event: ContainerEvent) => void) | null,
  staleListing: null as ContainerSummary[] | null,
};
const list = engine.containers.list.bind(engine.containers);
engine.containers.list = async (labels) => {
  const stale = faults.staleListing;
  faults.staleListing = null;
  return stale ?? list(labels);
};
const watch = engine.events.watch.bind(engine.events);
engine.events.watch = async (...args) => {
  faults.deliver = args[1];
  return watch(...args);
};
let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

/** Every state the session passes through from now on. */
function statesOf(harness: Harness, userId: string): SessionState[] {
  const seen: SessionState[] = [];
  harness.sessions.changed.on((view) => { if (view.userId === userId) seen.push(view.state); });
  return seen;
}

describe('Docker events and reconciliation', () => {
  it('a late die and destroy of a replaced container do not end the session on its new one', async () => {
    h = await new Harness(engine).init();
    const { user } = await h.user('rita');
    await h.sessions.start(user);
    const old = (await engine.containers.inspect(h.sessions.get(user.id)!.containerName))!.id;
    await h.sessions.stop(user.id, 'sign-out');
    await h.settings.update({ memoryMiB: 1536 }); // new limits: the next start replaces the container
    await h.sessions.start(user);
    const current = (await engine.containers.inspect(h.sessions.get(user.id)!.containerName))!.id;
    expect(current).not.toBe(old);

    const seen = statesOf(h, user.id);
    const attributes = { ...h.labels(user.id), 'org.blender-lab.username': 'rita' };
    faults.deliver!({ action: 'die', id: old, attributes });
    faults.deliver!({ action: 'destroy', id: old, attributes });
    await h.sessions.reconcile(); // queued behind the events' handling for this person

    expect(seen).toEqual([]);
    expect(h.sessions.get(user.id)!.state).toBe('ready');
    expect((await h.sessions.command(user.id, 'ping', {})).blender_version).toMatch(/^3\./);
  });

  it('a reconcile whose listing went stale behind a start leaves the running session alone', async () => {
    h = await new Harness(engine).init();
    const { user } = await h.user('sam');
    await h.sessions.start(user);
    await h.sessions.stop(user.id, 'sign-out');
    const listedWhileStopped = await engine.containers.list(h.labels());
    expect(listedWhileStopped.map((c) => c.state)).toEqual(['exited']);
    await h.sessions.start(user);

    const seen = statesOf(h, user.id);
    faults.staleListing = listedWhileStopped;
    await h.sessions.reconcile();

    expect(seen).toEqual([]);
    expect(h.sessions.get(user.id)!.state).toBe('ready');
    expect((await h.sessions.command(user.id, 'ping', {})).blender_version).toMatch(/^3\./);
  });
});
