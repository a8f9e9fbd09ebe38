import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../support/asset-files';
import { testEngine } from '../support/blender';
import { HunyuanStandIn } from '../support/hunyuan-standin';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';
import { zipOf } from '../support/zip-writer';

// Hunyuan3D for a person's real Blender with their own Tencent Cloud keys, against a stand-in that
// checks every call's TC3 signature as Tencent does: a job, polled, then its OBJ imported.
const engine = testEngine();
const [ID, SECRET] = ['AKIDtestada0123', 'secret-key-of-ada-456'];
const obj = Buffer.from(['mtllib model.mtl', 'o Vase', 'v 0 0 0', 'v 1 0 0', 'v 0 2 0', 'vt 0 0', 'vt 1 0', 'vt 0 1', 'usemtl clay', 'f 1/1 2/2 3/3', ''].join('\n'));
const mtl = Buffer.from(['newmtl clay', 'Kd 0.8 0.4 0.2', 'map_Kd clay.png', ''].join('\n'));
const hunyuan = new HunyuanStandIn(ID, SECRET, zipOf([{ name: 'model.obj', data: obj }, { name: 'model.mtl', data: mtl }, { name: 'clay.png', data: png(4, 4, [200, 100, 50]) }]));
let h: Harness;
let ada: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;

const run = async (who: typeof ada, code: string) => (await who.call('blender.run', { code })).output as string;

beforeAll(async () => {
  await hunyuan.listen();
  h = await new Harness(engine, { hunyuan3dUrl: hunyuan.url }).init();
  await h.user('ada');
  await h.user('bob');
  ada = await h.window('ada', 'password 123');
  bob = await h.window('bob', 'password 123');
  await ada.call('keys.set', { name: 'HUNYUAN3D_SECRET_ID', value: ID });
  await ada.call('keys.set', { name: 'HUNYUAN3D_SECRET_KEY', value: SECRET });
  await Promise.all([ada.call('session.start'), bob.call('session.start')]);
});

afterAll(async () => {
  for (const name of ['HUNYUAN3D_SECRET_ID', 'HUNYUAN3D_SECRET_KEY']) await ada?.call('keys.clear', { name }).catch(() => {});
  await h?.cleanup();
  await hunyuan.close();
});

describe('Hunyuan3D in a person\'s Blender', () => {
  it('generates from a description with signed calls, and imports the OBJ with its texture as one named object', async () => {
    const { job_id } = await ada.call('assets.hunyuanGenerate', { prompt: 'a clay vase' });
    expect(job_id).toMatch(/^job_/);
    expect(hunyuan.submitted.at(-1)).toEqual({ Num: 1, Prompt: 'a clay vase' });
    const done = await waitFor('the job to be done', async () => {
      const polled = await ada.call('assets.hunyuanPoll', { jobId: job_id });
      return polled.status === 'DONE' && polled;
    }, { timeoutMs: 10_000 });
    const imported = await ada.call('assets.hunyuanImport', { name: 'Vase', zipFileUrl: done.ResultFile3Ds[0].Url });
    expect(imported).toMatchObject({ succeed: true, name: 'Vase', type: 'MESH' });
    expect(await run(ada, 'import bpy\nm = bpy.data.objects["Vase"].active_material\nprint(m.name.startswith("clay"), all(i.packed_file for i in bpy.data.images if i.name.startswith("clay")), end="")')).toBe('True True');
    expect(await run(ada, 'import os\nd = "/home/blender/.cache/blender-lab/hunyuan"\nprint(os.listdir(d) if os.path.isdir(d) else [], end="")')).toBe('[]');
  });

  it('sends a picture of the person\'s own as its bytes', async () => {
    const picture = png(6, 6, [20, 20, 200]);
    await run(ada, `import base64\nopen("/home/blender/vase.png", "wb").write(base64.b64decode("${picture.toString('base64')}"))`);
    await ada.call('assets.hunyuanGenerate', { image: 'vase.png' });
    expect(hunyuan.submitted.at(-1)).toEqual({ Num: 1, ImageBase64: picture.toString('base64') });
    await expect(ada.call('assets.hunyuanGenerate', { prompt: 'a vase', image: 'vase.png' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not both and not none/) });
  });

  it('fetches only an address one of the person\'s own polls returned', async () => {
    await expect(ada.call('assets.hunyuanImport', { name: 'X', zipFileUrl: 'https://attacker.example/evil.zip' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a result of one of your Hunyuan3D jobs/) });
    await expect(bob.call('assets.hunyuanImport', { name: 'X', zipFileUrl: `${hunyuan.url}/results/whatever.zip` })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('says which keys to add to someone without them, and what Tencent said when a key is wrong', async () => {
    expect(await bob.call('assets.hunyuanStatus')).toMatchObject({ enabled: false, message: expect.stringContaining('add HUNYUAN3D_SECRET_ID and HUNYUAN3D_SECRET_KEY in Keys') });
    await bob.call('keys.set', { name: 'HUNYUAN3D_SECRET_ID', value: ID });
    await bob.call('keys.set', { name: 'HUNYUAN3D_SECRET_KEY', value: 'not-the-secret' });
    try {
      await expect(bob.call('assets.hunyuanGenerate', { prompt: 'a vase' })).rejects.toMatchObject({ code: 'ASSET_SOURCE_UNREACHABLE', message: expect.stringMatching(/AuthFailure.SignatureFailure: The signature does not match/) });
    } finally {
      for (const name of ['HUNYUAN3D_SECRET_ID', 'HUNYUAN3D_SECRET_KEY']) await bob.call('keys.clear', { name });
    }
  });
});
