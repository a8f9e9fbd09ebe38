import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BlenderClient } from '../../electron/services/blender/blender-client';
import type { StartProgress } from '../../shared/sessions';
import { testEngine, WINDOW_SIZE_CODE } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';
import { testDocker } from '../support/docker';

const docker = testDocker();

// Per-user sessions on the real engine with the real image.
const engine = testEngine();
const harnesses: Harness[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function harness(...args: ConstructorParameters<typeof Harness> extends [unknown, ...infer R] ? R : never) {
  const h = new Harness(engine, ...args);
  harnesses.push(h);
  return h.init();
}

const objectNames = async (h: Harness, userId: string) => (await h.sessions.command(userId, 'get_scene_info', {})).objects.map((o) => o.name);

describe('sessions', () => {
  it('gives two users their own containers, ports, volumes and secrets', async () => {
    const h = await harness();
    const { user: ada } = await h.user('Ada');
    const { user: bob } = await h.user('Bob Smith');
    const steps: string[] = [];
    const [a, b] = await Promise.all([h.sessions.start(ada, (p: StartProgress) => steps.push(p.step)), h.sessions.start(bob)]);
    expect([a.state, b.state]).toEqual(['ready', 'ready']);
    expect(steps).toEqual(expect.arrayContaining(['image', 'volume', 'container', 'booting', 'ui', 'addon', 'ready']));
    expect(a.containerName).toBe(`blender-ada-${ada.id}`);
    expect(b.containerName).toBe(`blender-bob-smith-${bob.id}`);
    expect(a.ports!.addon).not.toBe(b.ports!.addon);
    expect(a.ports!.ui).not.toBe(b.ports!.ui);

    const aInfo = await engine.containers.inspect(a.containerName);
    const bInfo = await engine.containers.inspect(b.containerName);
    const raw = await docker.getContainer(a.containerName).inspect();
    // Their own volume, and the lab's asset cache, which their Blender may read and not write.
    expect(raw.Mounts.map((m) => [m.Name, m.RW]).sort()).toEqual([[`blender-data-ada-${ada.id}`, true], [`blender-lab-assets-${h.instance}`, false]]);
    expect(raw.Config.Env.join(' ')).not.toContain('BLENDER_LAB_SECRET'); // the secret is not in docker inspect
    expect(raw.HostConfig.PortBindings?.['9876/tcp']?.[0]?.HostIp).toBe('127.0.0.1');
    expect(aInfo?.labels['org.blender-lab.user-id']).toBe(ada.id);
    expect(bInfo?.id).not.toBe(aInfo?.id);

    // What Ada does happens in Ada's Blender only.
    await h.sessions.command(ada.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_monkey_add()\nbpy.context.active_object.name = "AdaMonkey"' });
    expect(await objectNames(h, ada.id)).toContain('AdaMonkey');
    expect(await objectNames(h, bob.id)).not.toContain('AdaMonkey');

    // Ada's secret does not open Bob's Blender, nor his UI.
    const adaSecret = new URL(h.sessions.uiAddress(ada.id)!).hash.split('token=')[1]!;
    const intruder = new BlenderClient({ port: b.ports!.addon, secret: adaSecret });
    await expect(intruder.ping()).rejects.toMatchObject({ code: 'BLENDER_AUTH_REJECTED' });
    intruder.close();
    expect(h.sessions.uiAddress(bob.id)).not.toContain(adaSecret);
  });

  it('keeps files and the open scene across sign-out and sign-in, reusing the container', async () => {
    const h = await harness();
    const { user } = await h.user('carol');
    const first = await h.sessions.start(user);
    const containerBefore = (await engine.containers.inspect(first.containerName))!.id;
    await h.sessions.command(user.id, 'execute_code', {
      code: 'import bpy\nopen("/home/blender/notes.txt", "w").write("kept")\nbpy.ops.mesh.primitive_cylinder_add(location=(0, 4, 0))\nbpy.context.active_object.name = "KeepMe"',
    });
    const stopped = await h.sessions.stop(user.id, 'sign-out');
    expect(stopped).toMatchObject({ state: 'stopped', reason: 'Signed out', ports: null });
    expect(stopped?.lastSave).toMatchObject({ ok: true, message: expect.stringMatching(/^Saved the scene \(\d+ objects\)$/) });
    expect((await engine.containers.inspect(containerBefore))?.running).toBe(false);

    const again = await h.sessions.start(user);
    expect(again.state).toBe('ready');
    expect((await engine.containers.inspect(again.containerName))!.id).toBe(containerBefore);
    expect(await objectNames(h, user.id)).toContain('KeepMe');
    const read = await h.sessions.command(user.id, 'execute_code', { code: 'print(open("/home/blender/notes.txt").read())' });
    expect(read.result).toBe('kept\n');
  });

  it("starts a person's first Blender at the size the panel last fitted anyone's screen to", async () => {
    const h = await harness();
    const { user: ann } = await h.user('ann');
    const { user: ben } = await h.user('ben');
    await h.sessions.start(ann);
    const windowSize = async (userId: string) => (await h.sessions.command(userId, 'execute_code', { code: WINDOW_SIZE_CODE })).result;
    expect(await windowSize(ann.id)).toBe('1600x900');
    expect(await h.sessions.fitScreen(ann.id, 1024, 640)).toEqual({ width: 1024, height: 640 });
    await h.sessions.start(ben);
    expect(await windowSize(ben.id)).toBe('1024x640');
  });

  it('still stops when saving fails, and records why', async () => {
    const h = await harness();
    const { user } = await h.user('dora');
    await h.sessions.start(user);
    await h.sessions.command(user.id, 'execute_code', { code: 'import os\nos.makedirs("/home/blender/.blender-lab", exist_ok=True)\nos.chmod("/home/blender/.blender-lab", 0o500)' });
    const stopped = await h.sessions.stop(user.id, 'admin');
    expect(stopped?.state).toBe('stopped');
    expect(stopped?.lastSave).toMatchObject({ ok: false, message: expect.stringMatching(/^Not saved: /) });
  });

  it('does not create two containers when the same user signs in twice at once', async () => {
    const h = await harness();
    const { user } = await h.user('eve');
    const [a, b] = await Promise.all([h.sessions.start(user), h.sessions.start(user)]);
    expect(a.state).toBe('ready');
    expect(b).toEqual(a);
    expect(await engine.containers.list(h.labels(user.id))).toHaveLength(1);
  });

  it('skips a port that another program holds', async () => {
    const h = await harness();
    const base = h.settings.get().addonPortBase;
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(base, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { user } = await h.user('fay');
    const s = await h.sessions.start(user);
    expect(s.ports).toEqual({ addon: base + 1, ui: h.settings.get().uiPortBase + 1 });
  });

  it('stops idle sessions on schedule, by the configured timeout', async () => {
    const h = await harness({ idleTimeoutMinutes: 5 }, { idleCheckMs: 100 });
    const { user } = await h.user('gus');
    await h.sessions.start(user);
    h.clock.advance(4 * 60_000);
    h.sessions.touch(user.id); // activity resets the clock
    h.clock.advance(4 * 60_000);
    expect(h.sessions.get(user.id)?.state).toBe('ready');
    h.clock.advance(2 * 60_000);
    const s = await waitFor('the idle session to stop', () => {
      const v = h.sessions.get(user.id);
      return v?.state === 'stopped' ? v : undefined;
    });
    expect(s.reason).toBe('Stopped after being idle');
  });

  it('ends the window\'s sign-in when its person\'s Blender is stopped for idleness', async () => {
    const h = await harness({ idleTimeoutMinutes: 5, signOutIdleMinutes: 60 }, { idleCheckMs: 100 });
    await h.user('hana', 'hana password');
    const { connection: window, events, call } = await h.window('hana', 'hana password');
    expect((await call('session.mine')).state).toBe('ready');
    h.clock.advance(6 * 60_000);
    await waitFor('the sign-in to end', () => events.find(([e]) => e === 'signIn.ended'));
    expect(events).toContainEqual(['signIn.ended', expect.objectContaining({ reason: 'blender-idle' })]);
    expect(await window.call('blender.sceneInfo', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('adopts containers still running after a panel crash, without duplicating them', async () => {
    const h = await harness();
    const { user } = await h.user('hal');
    const before = await h.sessions.start(user);
    await h.sessions.command(user.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_torus_add()\nbpy.context.active_object.name = "Unsaved"' });
    await h.crashAndRestart();
    const adopted = h.sessions.get(user.id);
    expect(adopted).toMatchObject({ state: 'ready', ports: before.ports, containerName: before.containerName });
    expect(await objectNames(h, user.id)).toContain('Unsaved'); // the very same Blender, not a restart
    const again = await h.sessions.start(user);
    expect(again.state).toBe('ready');
    expect(await engine.containers.list(h.labels(user.id))).toHaveLength(1);
  });

  it('follows docker stop, docker kill and docker rm done outside the panel', async () => {
    const h = await harness();
    const { user } = await h.user('ivy');
    const s = await h.sessions.start(user);
    const untilState = (state: string) =>
      waitFor(`state ${state}`, () => {
        const v = h.sessions.get(user.id);
        return v?.state === state ? v : undefined;
      }, { timeoutMs: 30_000 });

    await engine.containers.stop(s.containerName);
    expect((await untilState('stopped')).reason).toBe('Stopped outside the panel');

    await h.sessions.start(user);
    await engine.containers.kill(s.containerName);
    expect((await untilState('failed')).reason).toBe('Blender stopped unexpectedly (exit code 137)');

    await h.sessions.start(user);
    await engine.containers.remove(s.containerName);
    expect((await untilState('stopped')).reason).toBe('The container was removed outside the panel');
    await expect(h.sessions.command(user.id, 'ping', {})).rejects.toMatchObject({ code: 'SESSION_NOT_READY' });

    // And the next sign-in simply makes a new one.
    expect((await h.sessions.start(user)).state).toBe('ready');
  });

  it('ends a start that cannot succeed in failed, with the reason and the last log lines, and cleans up', async () => {
    const h = await harness();
    const { user } = await h.user('jon');
    // A container that cannot become ready: its Blender process exits at once.
    const brokenTag = `blender-lab/test-broken:${h.instance}`;
    const stream = await docker.buildImage(
      { context: await brokenContext(), src: ['Dockerfile'] },
      { t: brokenTag, buildargs: { IMAGE: h.settings.get().image } },
    );
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve(null))));
    cleanups.push(() => docker.getImage(brokenTag).remove({ force: true }).then(() => {}, () => {}));
    h.settings.update({ image: brokenTag });

    await expect(h.sessions.start(user)).rejects.toMatchObject({ code: 'START_TIMEOUT' });
    const s = h.sessions.get(user.id)!;
    expect(s.state).toBe('failed');
    expect(s.reason).toMatch(/Blender stopped while starting: the container exited with code 1/);
    expect(s.reason).toContain('Last log lines:');
    expect(s.reason).toContain('no blender here');
    expect(s.ports).toBeNull();
    expect((await engine.containers.inspect(s.containerName))?.running).toBe(false);
  });

  it('builds a missing image at sign-in, reporting steps and percentage', async () => {
    const tag = `blender-lab/blender:test-${Date.now()}`;
    cleanups.push(() => docker.getImage(tag).remove({ force: true }).then(() => {}, () => {}));
    const h = await harness({ image: tag });
    const { user } = await h.user('lea');
    const progress: StartProgress[] = [];
    const s = await h.sessions.start(user, (p) => progress.push(p));
    expect(s.state).toBe('ready');
    const building = progress.filter((p) => p.step === 'image' && p.percent !== undefined);
    expect(building.length).toBeGreaterThan(5);
    expect(building.at(-1)).toMatchObject({ percent: 100, message: expect.stringMatching(/^Building the Blender image: step (\d+) of \1$/) });
    expect(building.map((p) => p.percent)).toEqual([...building.map((p) => p.percent!)].sort((a, b) => a - b));
  });

  it('says when Blender ran out of memory', async () => {
    const h = await harness({ memoryMiB: 1024 });
    const { user } = await h.user('max');
    await h.sessions.start(user);
    void h.sessions.command(user.id, 'execute_code', { code: 'hog = bytearray(3 * 1024 ** 3)' }).catch(() => {});
    const s = await waitFor('the session to fail', () => {
      const v = h.sessions.get(user.id);
      return v?.state === 'failed' ? v : undefined;
    }, { timeoutMs: 60_000 });
    expect(s.reason).toBe('Blender ran out of memory (limit 1024 MiB) and was stopped');
  });

  it('says clearly when the image is missing and cannot be built', async () => {
    const h = await harness({ image: 'blender-lab/never-built:x' }, { imageSource: null });
    const { user } = await h.user('kim');
    await expect(h.sessions.start(user)).rejects.toMatchObject({ code: 'IMAGE_MISSING', message: expect.stringContaining("npm run image") });
    expect(h.sessions.get(user.id)?.state).toBe('failed');
  });
});

async function brokenContext(): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-broken-'));
  await writeFile(path.join(dir, 'Dockerfile'), 'ARG IMAGE\nFROM ${IMAGE}\nENTRYPOINT ["/bin/sh", "-c", "echo no blender here; exit 1"]\n');
  return dir;
}
