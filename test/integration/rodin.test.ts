import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, triangleGlb } from '../support/asset-files';
import { testEngine } from '../support/blender';
import { RodinStandIn } from '../support/rodin-standin';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';

// Hyper3D Rodin for a person's real Blender with their own key, against a stand-in that speaks
// its main-site API: a job from a prompt or from pictures of their own, polled, then imported.
const engine = testEngine();
const KEY = 'rodin-key-of-ada-0123456789';
const rodin = new RodinStandIn(KEY, triangleGlb());
let h: Harness;
let ada: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;

const run = async (who: typeof ada, code: string) => (await who.call('blender.run', { code })).output as string;

beforeAll(async () => {
  await rodin.listen();
  h = await new Harness(engine, { hyper3dUrl: rodin.url }).init();
  await h.user('ada');
  await h.user('bob');
  ada = await h.window('ada', 'password 123');
  bob = await h.window('bob', 'password 123');
  await ada.call('keys.set', { name: 'HYPER3D_API_KEY', value: KEY });
  await Promise.all([ada.call('session.start'), bob.call('session.start')]);
});

afterAll(async () => {
  await ada?.call('keys.clear', { name: 'HYPER3D_API_KEY' }).catch(() => {});
  await h?.cleanup();
  await rodin.close();
});

describe('Hyper3D Rodin in a person\'s Blender', () => {
  it('generates from a description with the person\'s key, and imports the result as one named object', async () => {
    const task = await ada.call('assets.hyper3dGenerate', { prompt: 'a small wooden stool', bbox: [1, 1, 0.5] });
    expect(rodin.jobs.at(-1)).toMatchObject({ prompt: 'a small wooden stool', fields: { tier: 'Sketch', mesh_mode: 'Raw', bbox_condition: '[1,1,0.5]' } });
    await expect(ada.call('assets.hyper3dImport', { name: 'Stool', taskUuid: task.task_uuid })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/all its jobs are Done/) });
    await waitFor('the jobs to be done', async () => (await ada.call('assets.hyper3dPoll', { subscriptionKey: task.subscription_key })).status_list.every((s: string) => s === 'Done'), { timeoutMs: 10_000 });
    const imported = await ada.call('assets.hyper3dImport', { name: 'Stool', taskUuid: task.task_uuid });
    expect(imported).toMatchObject({ succeed: true, name: 'Stool', type: 'MESH' });
    // The generator's empty is gone; the mesh stands where the empty put it (3 m up, as glTF's Y is Blender's Z).
    expect(await run(ada, 'import bpy\nprint(sorted(o.name for o in bpy.data.objects if o.name in ("Stool", "Root", "geometry_0")), bpy.data.objects["Stool"].parent, round(bpy.data.objects["Stool"].matrix_world.translation.y, 3), end="")')).toBe("['Stool'] None -3.0");
    expect(await run(ada, 'import os\nd = "/home/blender/.cache/blender-lab/generated"\nprint(os.listdir(d) if os.path.isdir(d) else [], end="")')).toBe('[]');
    expect(rodin.requests.filter((r) => r.path.startsWith('/results/')).every((r) => r.authorization === undefined)).toBe(true);
  });

  it('generates from pictures among the person\'s own files, sending their bytes', async () => {
    const picture = png(8, 8, [10, 200, 10]);
    await run(ada, `import base64\nopen("/home/blender/reference.png", "wb").write(base64.b64decode("${picture.toString('base64')}"))`);
    await ada.call('assets.hyper3dGenerate', { imagePaths: ['reference.png'] });
    expect(rodin.jobs.at(-1)!.images.map((i) => [i.name, i.bytes.equals(picture)])).toEqual([['0000.png', true]]);
    await expect(ada.call('assets.hyper3dGenerate', { imagePaths: ['notes.txt'] })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'notes.txt is not a PNG, JPEG or WebP picture' });
    await expect(ada.call('assets.hyper3dGenerate', {})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not both and not none/) });
  });

  it('says which key to add to someone without one, and sends nothing', async () => {
    const before = rodin.requests.length;
    expect(await bob.call('assets.hyper3dStatus')).toMatchObject({ enabled: false, message: expect.stringContaining('add HYPER3D_API_KEY in Keys') });
    await expect(bob.call('assets.hyper3dGenerate', { prompt: 'a stool' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('HYPER3D_API_KEY') });
    expect(rodin.requests.length).toBe(before);
  });
});
