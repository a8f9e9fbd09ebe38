import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type ContainerEvent } from '../../electron/services/engine/engine';
import type { SessionState } from '../../shared/sessions';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';

/**
 * The real engine, with two faults it cannot produce on demand: an event delivered late (after the
 * container it is about was replaced), and a container listing that went stale while it waited.
 */
class DelayingEngine extends Engine {
  deliver: ((event: ContainerEvent) => void) | null = null;
  staleListing: Awaited<ReturnType<Engine['listContainers']>> | null = null;

  override async listContainers(labels: Record<string, string>) {
    const stale = this.staleListing;
    this.staleListing = null;
    return stale ?? super.listContainers(labels);
  }

  override async watchContainers(...args: Parameters<Engine['watchContainers']>) {
    this.deliver = args[1];
    return super.watchContainers(...args);
  }
}

const engine = new DelayingEngine(testEngine().docker);
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
    const old = (await engine.inspectContainer(h.sessions.get(user.id)!.containerName))!.id;
    await h.sessions.stop(user.id, 'sign-out');
    await h.settings.update({ memoryMiB: 1536 }); // new limits: the next start replaces the container
    await h.sessions.start(user);
    const current = (await engine.inspectContainer(h.sessions.get(user.id)!.containerName))!.id;
    expect(current).not.toBe(old);

    const seen = statesOf(h, user.id);
    const attributes = { ...h.labels(user.id), 'org.blender-lab.username': 'rita' };
    engine.deliver!({ action: 'die', id: old, attributes });
    engine.deliver!({ action: 'destroy', id: old, attributes });
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
    const listedWhileStopped = await engine.listContainers(h.labels());
    expect(listedWhileStopped.map((c) => c.state)).toEqual(['exited']);
    await h.sessions.start(user);

    const seen = statesOf(h, user.id);
    engine.staleListing = listedWhileStopped;
    await h.sessions.reconcile();

    expect(seen).toEqual([]);
    expect(h.sessions.get(user.id)!.state).toBe('ready');
    expect((await h.sessions.command(user.id, 'ping', {})).blender_version).toMatch(/^3\./);
  });
});
