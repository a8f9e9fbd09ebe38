import { afterEach, describe, expect, it } from 'vitest';
import type { User } from '../../shared/accounts';
import { STOP_TIMEOUT_S } from '../../electron/services/sessions/sessions';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';
import { testDocker } from '../support/docker';

const docker = testDocker();

// A person's work when their Blender ends in every way but a sign-out, on the real engine and image.
const engine = testEngine();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function harness(overrides: Parameters<typeof Harness['prototype']['settings']['update']>[0] = {}) {
  const h = new Harness(engine, overrides as never);
  harnesses.push(h);
  return h.init();
}

const add = (h: Harness, user: User, name: string, code = 'bpy.ops.mesh.primitive_cube_add()') =>
  h.sessions.command(user.id, 'execute_code', { code: `import bpy\n${code}\nbpy.context.active_object.name = "${name}"` });
const objectNames = async (h: Harness, user: User) => (await h.sessions.command(user.id, 'get_scene_info', {})).objects.map((o) => o.name);
const untilState = (h: Harness, user: User, state: string) =>
  waitFor(`state ${state}`, () => {
    const v = h.sessions.get(user.id);
    return v?.state === state ? v : undefined;
  }, { timeoutMs: 150_000 });

describe('every stop saves, whoever stops it', () => {
  it('an outside docker stop keeps the work, like a sign-out', async () => {
    const h = await harness();
    const { user } = await h.user('otto');
    const s = await h.sessions.start(user);
    await add(h, user, 'MadeBeforeDockerStop');
    await docker.getContainer(s.containerName).stop(); // as `docker stop` does: the container's own timeout
    await untilState(h, user, 'stopped');
    expect((await engine.containers.logs(s.containerName, 50))).toMatch(/saved the scene on stop \(\d+ objects, \d+ bytes\)/);
    const again = await h.sessions.start(user);
    expect(await objectNames(h, user)).toContain('MadeBeforeDockerStop');
    expect(again.scene).toBeNull(); // a clean stop: nothing to explain
  });

  it('sets a stop timeout long enough for a large scene, and a scene of tens of MB saves within it', async () => {
    const h = await harness();
    const { user } = await h.user('lena');
    const s = await h.sessions.start(user);
    expect((await docker.getContainer(s.containerName).inspect()).Config).toMatchObject({ StopTimeout: STOP_TIMEOUT_S });
    await add(h, user, 'BigGrid', 'bpy.ops.mesh.primitive_grid_add(x_subdivisions=700, y_subdivisions=700, size=10)');
    const t0 = Date.now();
    await docker.getContainer(s.containerName).stop();
    const took = Date.now() - t0;
    await untilState(h, user, 'stopped');
    expect(took).toBeLessThan(STOP_TIMEOUT_S * 1000);
    await h.sessions.start(user);
    const { versions } = await h.sessions.command(user.id, 'scenes', {});
    expect(versions[0]!.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(await objectNames(h, user)).toContain('BigGrid');
  });
});

describe('after an unclean end', () => {
  it('docker kill after an autosave: the next start opens the autosave and says so', async () => {
    const h = await harness({ autosaveSeconds: 5 });
    const { user } = await h.user('kurt');
    const s = await h.sessions.start(user);
    const before = Date.now();
    await add(h, user, 'OnlyInTheAutosave');
    await waitFor('an autosave after the change', async () => {
      const { autosave } = await h.sessions.command(user.id, 'scenes', {});
      return autosave && Date.parse(autosave.at) > before ? autosave : undefined;
    }, { timeoutMs: 30_000 });
    await engine.containers.kill(s.containerName);
    await untilState(h, user, 'failed');
    const again = await h.sessions.start(user);
    expect(await objectNames(h, user)).toContain('OnlyInTheAutosave');
    expect(again.scene).toMatchObject({ kind: 'recovered', message: expect.stringMatching(/^Blender ended without saving last time\. Recovered your work from the autosave of \d\d:\d\d:\d\d UTC/) });
  });

  it('a damaged newest file: the one before it opens, and the person is told', async () => {
    const h = await harness({ autosaveSeconds: 3600 });
    const { user } = await h.user('dana');
    await h.sessions.start(user);
    await add(h, user, 'InTheOlderSave');
    await h.sessions.stop(user.id, 'sign-out');
    const s = await h.sessions.start(user);
    await add(h, user, 'InTheNewestSave');
    await h.sessions.stop(user.id, 'sign-out');
    await h.sessions.start(user);
    // Cut the newest save short, as a power loss mid-write on a disk without atomic rename could; then crash.
    await h.sessions.command(user.id, 'execute_code', {
      code: 'import os\nd = os.path.expanduser("~/.blender-lab/versions")\nnewest = sorted(os.listdir(d))[-1]\nos.truncate(os.path.join(d, newest), 4096)',
    });
    await engine.containers.kill(s.containerName);
    await untilState(h, user, 'failed');
    const again = await h.sessions.start(user);
    const names = await objectNames(h, user);
    expect(names).toContain('InTheOlderSave');
    expect(names).not.toContain('InTheNewestSave');
    expect(again.scene).toMatchObject({ kind: 'fallback', message: expect.stringMatching(/^Your newest saved state could not be opened \(.+ is cut short .*\)\. Opened the one from /) });
  });
});

describe('saved versions', () => {
  it('keeps the configured number, lists them with times and sizes, and opens an earlier one', async () => {
    const h = await harness({ versionsKept: 2, autosaveSeconds: 3600 });
    const { user } = await h.user('vera');
    const counts: number[] = [];
    for (const name of ['One', 'Two', 'Three']) {
      await h.sessions.start(user);
      counts.push((await h.sessions.command(user.id, 'scenes', {})).versions.length);
      await add(h, user, name);
      await h.sessions.stop(user.id, 'sign-out');
    }
    await h.sessions.start(user);
    expect(counts).toEqual([0, 1, 2]); // one version per sign-out: the stop does not save twice
    const { versions } = await h.sessions.command(user.id, 'scenes', {});
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => v.bytes > 1000 && !Number.isNaN(Date.parse(v.at)))).toBe(true);
    const older = versions[1]!;
    const reopened = await h.sessions.openVersion(user, older.name);
    expect(reopened.scene).toMatchObject({ kind: 'chosen' });
    const names = await objectNames(h, user);
    expect(names).toContain('Two');
    expect(names).not.toContain('Three');
  });
});
