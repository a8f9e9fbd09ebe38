import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/services/engine/engine';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { StallingProxy } from '../support/stalling-proxy';
import { waitFor } from '../support/wait';

// A Docker engine that stops answering one kind of request: the panel says what hung, within a
// bounded time, and one person's hung request keeps nobody else waiting.
const engine = testEngine();
let h: Harness | null = null;
let proxy: StallingProxy | null = null;
afterEach(async () => {
  proxy?.thaw();
  await h?.cleanup();
  await proxy?.close();
  h = null;
  proxy = null;
});

async function throughProxy(): Promise<{ harness: Harness; proxy: StallingProxy }> {
  proxy = await new StallingProxy().listen();
  const slow = Engine.connect(proxy.endpoint);
  // Short enough for a quick test, long enough that a busy engine answering in time is never taken for a hung one.
  slow.deadlineMs = 3_000;
  h = await new Harness(engine, {}, { engine: slow }).init();
  return { harness: h, proxy };
}

const elapsed = async (work: Promise<unknown>) => {
  const t0 = Date.now();
  const outcome = await work.then((value) => ({ ok: true, value }), (error: { code: string; message: string }) => ({ ok: false, code: error.code, message: error.message }));
  return { ...outcome, ms: Date.now() - t0 };
};

describe('a Docker engine that stops answering', () => {
  it('gives a command run in the container a deadline, with an error that names what hung', async () => {
    const { harness, proxy } = await throughProxy();
    const { password } = await harness.user('ann');
    const ann = await harness.window('ann', password);
    proxy.stall(/^POST \S*\/exec\/[^/]+\/start/);
    const listing = await elapsed(ann.call('files.list', { path: '' }));
    expect(listing).toMatchObject({ ok: false, code: 'DOCKER_TIMEOUT', message: expect.stringMatching(/^Docker did not answer within 12 s when asked to run \/usr\/bin\/python3 in [0-9a-f]{12}$/) });
    expect(listing.ms).toBeLessThan(30_000);
  });

  it('ends a sign-out in bounded time, saying what hung, when the engine does not answer', async () => {
    const { harness, proxy } = await throughProxy();
    const { user, password } = await harness.user('ann');
    const ann = await harness.window('ann', password);
    const id = (await engine.containers.inspect(harness.sessions.get(user.id)!.containerName))!.id;
    proxy.stall(new RegExp(`^GET \\S*/containers/${id}/json`));
    const signOut = await elapsed(ann.call('auth.signOut'));
    expect(signOut).toMatchObject({ ok: false, code: 'DOCKER_TIMEOUT', message: `Docker did not answer within 3 s when asked to inspect container ${id}` });
    expect(signOut.ms).toBeLessThan(10_000);
    expect(ann.connection.token).toBeNull(); // signed out all the same
  });

  it('keeps nobody waiting behind another person whose request hangs, when it looks at Docker again', async () => {
    const { harness, proxy } = await throughProxy();
    // Docker lists the newest container first: ann's, made last, is looked at first.
    const ben = await harness.user('ben');
    await harness.sessions.start(ben.user);
    const ann = await harness.user('ann');
    await harness.sessions.start(ann.user);
    proxy.freezeEvents();
    proxy.stall(new RegExp(`^POST \\S*/containers/${(await engine.containers.inspect(harness.sessions.get(ann.user.id)!.containerName))!.id}/stop`));
    void harness.sessions.stop(ann.user.id, 'admin').catch(() => {}); // holds ann's turn for two minutes
    await waitFor('ann\'s stop to be asked for', () => harness.sessions.get(ann.user.id)?.state === 'stopping');
    // Ben's Blender stops outside the panel, which hears nothing of it (no events).
    await engine.containers.stop(harness.sessions.get(ben.user.id)!.containerName, 20);
    const reconciled = harness.sessions.reconcile().catch(() => {});
    const benSeen = await elapsed(waitFor('ben\'s Blender to be seen stopped', () => harness.sessions.get(ben.user.id)?.state !== 'ready', { timeoutMs: 30_000 }));
    expect(benSeen).toMatchObject({ ok: true });
    expect(benSeen.ms).toBeLessThan(10_000);
    expect(harness.sessions.get(ann.user.id)?.state).toBe('stopping');
    proxy.thaw();
    await reconciled;
  });
});
