import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';

// Restarting the real engine under a running panel: the event stream must come back, the state
// must be rebuilt from what Docker has afterwards, and nobody's work may be lost. Restarting
// dockerd needs root and a local engine, as npm test has on the machines it prepares.
const engine = testEngine();
let h: Harness | undefined;

afterAll(async () => {
  execFileSync('bash', ['scripts/engine-start.sh'], { stdio: 'inherit' });
  await h?.cleanup();
});

const objectNames = async (userId: string) => (await h!.sessions.command(userId, 'get_scene_info', {})).objects.map((o) => o.name);

it('keeps everyone\'s work through an engine restart, and starts the Blender of whoever is signed in again', async () => {
  if (process.getuid?.() !== 0 || process.env.DOCKER_HOST) {
    throw new Error('This test restarts the local dockerd: run the suite as root against the local engine');
  }
  h = await new Harness(engine, { autosaveSeconds: 3600 }).init();
  // nia's Blender runs with nobody signed in at the panel; omar is signed in in a window.
  const { user: nia } = await h.user('nia');
  await h.user('omar', 'omar password');
  const window = await h.window('omar', 'omar password');
  const omar = await window.call('auth.whoAmI');
  await h.sessions.start(nia);
  for (const [userId, name] of [[nia.id, 'NiasWork'], [omar.id, 'OmarsWork']] as const) {
    await h.sessions.command(userId, 'execute_code', { code: `import bpy\nbpy.ops.mesh.primitive_cube_add()\nbpy.context.active_object.name = "${name}"` });
  }

  execFileSync('pkill', ['-x', 'dockerd']);
  await waitFor('dockerd to exit', () => {
    try {
      execFileSync('pgrep', ['-x', 'dockerd']);
      return undefined;
    } catch {
      return true; // pgrep found none
    }
  }, { timeoutMs: 150_000 });
  execFileSync('bash', ['scripts/engine-start.sh'], { stdio: 'inherit' });

  // omar is still signed in: his Blender comes back by itself, with his work, and he is told.
  const back = await waitFor('omar\'s Blender to be started again', () => {
    const s = h!.sessions.get(omar.id);
    return s?.state === 'ready' && s.scene ? s : undefined;
  }, { timeoutMs: 180_000 });
  expect(back.scene).toMatchObject({ kind: 'restarted', message: expect.stringMatching(/^Docker restarted, so your Blender was started again with your work\./) });
  expect(await objectNames(omar.id)).toContain('OmarsWork');

  // The engine stopped nia's container on its way down (saving her scene); once reconnected, the panel says so.
  expect(h.sessions.get(nia.id)).toMatchObject({ state: 'stopped', reason: 'Stopped when Docker restarted (the scene was saved)' });

  // nia's work was saved too; and events flow again: an outside stop is noticed.
  const s = await h.sessions.start(nia);
  expect(await objectNames(nia.id)).toContain('NiasWork');
  await engine.containers.stop(s.containerName);
  const stopped = await waitFor('the outside stop to be noticed', () => {
    const v = h!.sessions.get(nia.id);
    return v?.state === 'stopped' ? v : undefined;
  }, { timeoutMs: 30_000 });
  expect(stopped.reason).toBe('Stopped outside the panel');
});
