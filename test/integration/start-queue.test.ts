import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/services/engine/engine';
import { PortAllocator } from '../../electron/services/sessions/ports';
import { SessionManager } from '../../electron/services/sessions/sessions';
import type { SessionState } from '../../shared/sessions';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';
import { testDocker } from '../support/docker';

const docker = testDocker();

// A fair start queue on the real engine and image: first come, first served, with places told.
const engine = testEngine();
let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

/** Waits until this person's container is up and holding Blender back for their turn. */
function heldForTurn(userId: string) {
  return waitFor('the container to be held for its turn', async () => {
    const [c] = await engine.containers.list(h!.labels(userId));
    return c && (await engine.containers.logs(c.id)).includes('waiting for a turn to start Blender') ? c : undefined;
  });
}

/** The engine as a panel sees it that can end: from `end()` on, every call it makes never returns. */
function freezable() {
  let ended = false;
  const frozen = new Proxy(engine, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (...args: unknown[]) => (ended ? new Promise(() => {}) : value.apply(target, args)) : value;
    },
  }) as Engine;
  return { engine: frozen, end: () => { ended = true; } };
}

describe('starting several Blenders at once', () => {
  it('boots at most maxConcurrentStarts at a time, in order of arrival, telling those waiting their place', async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const people = await Promise.all(['ann', 'ben', 'cat'].map((n) => h!.user(n).then((u) => u.user)));
    const heard: Record<string, string[]> = { ann: [], ben: [], cat: [] };
    const readyOrder: string[] = [];
    const booting = new Set<string>();
    let mostBootingAtOnce = 0;
    h.sessions.changed.on((view) => {
      if (view.state === 'waiting') booting.add(view.username);
      else booting.delete(view.username);
      mostBootingAtOnce = Math.max(mostBootingAtOnce, booting.size);
    });
    await Promise.all(
      people.map((p) =>
        h!.sessions.start(p, (progress) => { if (progress.step === 'queue') heard[p.username]!.push(progress.message); }).then(() => readyOrder.push(p.username)),
      ),
    );
    expect(readyOrder).toEqual(['ann', 'ben', 'cat']);
    expect(mostBootingAtOnce).toBe(1);
    expect(heard.ann).toEqual([]);
    expect(heard.ben![0]).toBe('You are next: waiting for another Blender to finish starting');
    expect(heard.cat).toEqual(expect.arrayContaining(['1 person ahead of you', 'You are next: waiting for another Blender to finish starting']));
    expect(heard.cat!.indexOf('1 person ahead of you')).toBeLessThan(heard.cat!.lastIndexOf('You are next: waiting for another Blender to finish starting'));
  });

  it("starts the next person's container while the Blender ahead boots, and boots theirs when that one is up", async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const [ann, ben] = await Promise.all(['ann', 'ben'].map((n) => h!.user(n).then((u) => u.user)));
    const states: Record<string, SessionState[]> = { ann: [], ben: [] };
    let annReadyAt = 0;
    h.sessions.changed.on((view) => {
      states[view.username]!.push(view.state);
      if (view.username === 'ann' && view.state === 'ready') annReadyAt ||= Date.now();
    });
    const heard: string[] = [];
    await Promise.all([h.sessions.start(ann!), h.sessions.start(ben!, (p) => heard.push(p.message))]);
    const benContainer = (await engine.containers.inspect(h.sessions.get(ben!.id)!.containerName))!;
    expect(Date.parse(benContainer.startedAt!)).toBeLessThan(annReadyAt); // up before ann's Blender was
    expect(await engine.containers.logs(benContainer.id)).toContain('waiting for a turn to start Blender');
    // Ben's Blender booted only once ann's was up: his state went to 'waiting' (booting) after hers was ready.
    expect(states.ben!.indexOf('waiting')).toBeGreaterThan(-1);
    expect(heard.indexOf('Starting Blender')).toBeGreaterThan(heard.indexOf('You are next: waiting for another Blender to finish starting'));
    expect(heard.at(-1)).toBe('Your Blender is ready');
  });

  it('lets a Blender held for its turn boot when a restarted panel takes it over', async () => {
    // A panel that ends mid-start (its process gone) leaves the next person's container held.
    const panel = freezable();
    h = await new Harness(engine, { maxConcurrentStarts: 1 }, { engine: panel.engine }).init();
    const [ann, ben] = await Promise.all(['ann', 'ben'].map((n) => h!.user(n).then((u) => u.user)));
    void h.sessions.start(ann!).catch(() => {});
    void h.sessions.start(ben!).catch(() => {});
    await heldForTurn(ben!.id);
    panel.end();
    const restarted = new SessionManager({ engine, settings: () => h!.settings.get(), ports: new PortAllocator(() => h!.settings.get()), credentials: h.credentials, instance: h.instance, imageSource: null, log: () => {} });
    h.sessions = restarted;
    await restarted.init();
    await waitFor('both Blenders to be taken over', () => ['ann', 'ben'].every((n) => restarted.list().find((v) => v.username === n)?.state === 'ready') || undefined, { timeoutMs: 120_000 });
    expect(await restarted.command(ben!.id, 'get_scene_info', {})).toMatchObject({ object_count: 3 });
    expect(await engine.containers.list(h.labels(ben!.id))).toHaveLength(1);
  });

  it('lets a booting Blender use every CPU first, then holds it to its configured share', async () => {
    h = await new Harness(engine, { cpus: 0.5 }).init();
    const { user } = await h.user('dot');
    const seen: { shares: number; nanoCpus: number }[] = [];
    const cpuOf = async () => {
      const id = h!.sessions.get(user.id)?.containerName;
      if (!id) return;
      const { HostConfig } = await docker.getContainer(id).inspect().catch(() => ({ HostConfig: null }));
      if (HostConfig) seen.push({ shares: HostConfig.CpuShares ?? 0, nanoCpus: HostConfig.NanoCpus ?? 0 });
    };
    const started = h.sessions.start(user);
    await waitFor('the boot to be seen', async () => {
      if (h!.sessions.get(user.id)?.state === 'waiting') await cpuOf();
      return seen.length > 0 || undefined;
    }, { timeoutMs: 60_000 });
    await started;
    await cpuOf();
    const cpus = await engine.cpuCount();
    expect(seen[0]).toEqual({ shares: 262144, nanoCpus: Math.max(cpus, 0.5) * 1e9 }); // booting
    expect(seen.at(-1)).toEqual({ shares: 1024, nanoCpus: 0.5e9 }); // ready: its configured half CPU
  });

  describe('the boot boost', () => {
    /** A startup script of the person's own that keeps Blender from being ready for 15 s. */
    async function slowStartFor(harness: Harness, user: { id: string; username: string }) {
      await harness.sessions.start(user as never);
      const id = harness.sessions.get(user.id)!.containerName;
      const dir = '/home/blender/.config/blender/3.4/scripts/startup';
      expect(await engine.containers.exec(id, ['sh', '-c', `mkdir -p ${dir} && printf 'import time\\ndef register():\\n    time.sleep(15)\\n' > ${dir}/slow.py`])).toMatchObject({ exitCode: 0 });
      await harness.sessions.stop(user.id, 'sign-out');
      return id;
    }
    const sharesOf = async (id: string) => (await docker.getContainer(id).inspect()).HostConfig.CpuShares;

    it('ends after a bounded time, however long a person\'s own startup script delays readiness', async () => {
      h = await new Harness(engine, {}, { bootBoostMs: 2_000 }).init();
      const { user } = await h.user('eve');
      const id = await slowStartFor(h, user);
      const started = h.sessions.start(user);
      await waitFor('the boost', async () => h!.sessions.get(user.id)?.state === 'waiting' && (await sharesOf(id)) === 262144, { timeoutMs: 60_000 });
      // Back to the ordinary share while Blender is still held up by the script.
      const stateThen = await waitFor('the ordinary share', async () => ((await sharesOf(id)) === 1024 ? h!.sessions.get(user.id)!.state : undefined), { timeoutMs: 60_000 });
      expect(stateThen).toBe('waiting');
      expect((await started).state).toBe('ready');
    });

    it('is reset when a restarted panel takes over a Blender that was booting', async () => {
      const panel = freezable();
      h = await new Harness(engine, {}, { engine: panel.engine }).init();
      const { user } = await h.user('fay');
      const id = await slowStartFor(h, user);
      void h.sessions.start(user).catch(() => {});
      await waitFor('the boost', async () => h!.sessions.get(user.id)?.state === 'waiting' && (await sharesOf(id)) === 262144, { timeoutMs: 60_000 });
      panel.end(); // the panel is gone mid-boot
      const restarted = new SessionManager({ engine, settings: () => h!.settings.get(), ports: new PortAllocator(() => h!.settings.get()), credentials: h.credentials, instance: h.instance, imageSource: null, log: () => {} });
      h.sessions = restarted;
      void restarted.init();
      const stateThen = await waitFor('the ordinary share', async () => ((await sharesOf(id)) === 1024 ? restarted.get(user.id)?.state : undefined), { timeoutMs: 60_000 });
      expect(stateThen).toBe('waiting');
      await waitFor('the Blender to be taken over', () => restarted.get(user.id)?.state === 'ready', { timeoutMs: 120_000 });
    });
  });

  it('lets someone who signs out while waiting leave the queue at once', async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const { user: ann } = await h.user('ann');
    const { user: ben } = await h.user('ben');
    const states: SessionState[] = [];
    h.sessions.changed.on((view) => { if (view.userId === ben.id) states.push(view.state); });
    const annStarted = h.sessions.start(ann);
    let place = '';
    const benStarted = h.sessions.start(ben, (p) => { if (p.step === 'queue') place = p.message; }).catch((e) => e);
    await waitFor('ben to be waiting in the queue', () => place !== '' || undefined);
    const t0 = Date.now();
    await h.sessions.stop(ben.id, 'sign-out');
    expect(await benStarted).toMatchObject({ code: 'START_CANCELLED' });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(h.sessions.get(ben.id)).toMatchObject({ state: 'stopped' });
    expect(states).not.toContain('waiting'); // ben's Blender never booted
    const [benContainer] = await engine.containers.list(h.labels(ben.id));
    expect(benContainer?.state).not.toBe('running'); // a container held for his turn ended with it
    expect((await annStarted).state).toBe('ready');
  });

  it('ends the container held for the turn of someone who closes their window', async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const { user: ann } = await h.user('ann');
    const { user: ben } = await h.user('ben', 'ben password');
    const annStarted = h.sessions.start(ann);
    const window = h.api.connect(() => {});
    const signIn = window.call('auth.signIn', { username: 'ben', password: 'ben password' });
    const held = await heldForTurn(ben.id);
    window.close();
    // The window is gone: its reply signs nobody in, and the session says why it stopped.
    expect(await signIn).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(h.sessions.get(ben.id)).toMatchObject({ state: 'stopped', reason: 'The sign-in ended before Blender was ready, so it was stopped' });
    expect((await engine.containers.inspect(held.id))?.running).toBe(false);
    expect(await engine.containers.logs(held.id)).toContain('stopping before Blender started');
    expect((await annStarted).state).toBe('ready');
  });

  it('takes someone out of the queue when their last window closes', async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const { user: ann } = await h.user('ann');
    const { user: ben } = await h.user('ben', 'ben password');
    const annStarted = h.sessions.start(ann);
    const events: [string, any][] = [];
    const window = h.api.connect((event, payload) => events.push([event, payload]));
    const signIn = window.call('auth.signIn', { username: 'ben', password: 'ben password' });
    await waitFor('ben to be told his place', () => events.some(([e, p]) => e === 'session.progress' && p.step === 'queue') || undefined);
    const t0 = Date.now();
    window.close();
    // The window is gone: its reply signs nobody in, and the session says why it stopped.
    expect(await signIn).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(h.sessions.get(ben.id)).toMatchObject({ state: 'stopped', reason: 'The sign-in ended before Blender was ready, so it was stopped' });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect((await annStarted).state).toBe('ready');
  });
});
