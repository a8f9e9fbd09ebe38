import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, triangleGltf } from '../support/asset-files';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { SketchfabStandIn, type StandInModel } from '../support/sketchfab-standin';
import { zipOf } from '../support/zip-writer';

// Sketchfab models into a person's real Blender with their own key, from a stand-in that speaks
// Sketchfab's Data API v3; every archive entry is checked before anything is unpacked.
const engine = testEngine();
const KEY = 'sketchfab-key-of-ada-0123456789';
const uid = (n: number) => n.toString(16).padStart(32, 'a');
const texture = png(4, 4, [200, 30, 30]);
const goodZip = zipOf([
  { name: 'scene.gltf', data: triangleGltf('Chair', 'textures/chair_diff.png') },
  { name: 'textures/chair_diff.png', data: texture },
  { name: 'license.txt', data: Buffer.from('CC Attribution') },
]);
const model = (n: number, name: string, archive: Buffer | undefined, extra: Partial<StandInModel> = {}): StandInModel => ({
  uid: uid(n), name, user: { username: 'maker', displayName: 'A Maker' }, license: { label: 'CC Attribution' }, isDownloadable: archive !== undefined, thumbnails: { images: [] }, archive, ...extra,
});
const sketchfab = new SketchfabStandIn([], KEY);
let h: Harness;
let ada: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;

const run = async (who: typeof ada, code: string) => (await who.call('blender.run', { code })).output as string;
const objectsOf = async (who: typeof ada) => (await who.call('blender.sceneInfo')).objects.map((o: { name: string }) => o.name).sort();
const stagingLeft = (who: typeof ada) => run(who, 'import os\nd = "/home/blender/.cache/blender-lab/sketchfab"\nprint(sorted(os.listdir(d)) if os.path.isdir(d) else [], end="")');

beforeAll(async () => {
  await sketchfab.listen();
  const thumbnail = sketchfab.serve('chair.png', png(640, 360, [120, 90, 60], [40, 30, 20]), 'image/png');
  sketchfab.models.push(
    model(1, 'Wooden Chair', goodZip, { thumbnails: { images: [{ url: sketchfab.serve('chair_small.png', png(200, 112, [120, 90, 60]), 'image/png'), width: 200, height: 112 }, { url: thumbnail, width: 640, height: 360 }] } }),
    model(2, 'Sneaky Chair', zipOf([{ name: 'scene.gltf', data: triangleGltf('Sneaky', 'x.png') }, { name: '../../../.bashrc', data: Buffer.from('echo owned\n') }])),
    model(3, 'Linked Chair', zipOf([{ name: 'scene.gltf', data: triangleGltf('Linked', 'x.png') }, { name: 'x.png', data: Buffer.from('/home/blender/.bashrc'), mode: 0o120777 }])),
    model(4, 'Bomb Chair', zipOf([{ name: 'scene.gltf', data: triangleGltf('Bomb', 'x.png') }, { name: 'huge.bin', data: Buffer.alloc(16), declaredSize: 0xfffffff0 }])),
    model(5, 'Empty Chair', zipOf([{ name: 'readme.txt', data: Buffer.from('no model here') }])),
    model(6, 'Locked Chair', undefined),
  );
  h = await new Harness(engine, { sketchfabUrl: sketchfab.url }).init();
  await h.user('ada');
  await h.user('bob');
  ada = await h.window('ada', 'password 123');
  bob = await h.window('bob', 'password 123');
  await ada.call('keys.set', { name: 'SKETCHFAB_API_KEY', value: KEY });
  await Promise.all([ada.call('session.start'), bob.call('session.start')]);
});

afterAll(async () => {
  await ada?.call('keys.clear', { name: 'SKETCHFAB_API_KEY' }).catch(() => {});
  await h?.cleanup();
  await sketchfab.close();
});

describe('Sketchfab in a person\'s Blender', () => {
  it('says whom the person\'s key signs in as, and which key someone without one should add', async () => {
    expect(await ada.call('assets.sketchfabStatus')).toEqual({ enabled: true, message: 'Sketchfab is ready: signed in as ada_3d.' });
    expect(await bob.call('assets.sketchfabStatus')).toMatchObject({ enabled: false, message: expect.stringContaining('add SKETCHFAB_API_KEY in Keys') });
    await expect(bob.call('assets.sketchfabSearch', { query: 'chair' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('SKETCHFAB_API_KEY') });
  });

  it('searches with the documented query and the person\'s key, sending the key to Sketchfab\'s API only', async () => {
    const found = await ada.call('assets.sketchfabSearch', { query: 'chair', count: 10 });
    expect(found.models.map((m: { name: string }) => m.name)).toEqual(['Wooden Chair', 'Sneaky Chair', 'Linked Chair', 'Bomb Chair', 'Empty Chair']);
    expect(found.models[0]).toMatchObject({ uid: uid(1), author: 'A Maker', license: 'CC Attribution', downloadable: true });
    const search = sketchfab.requests.find((r) => r.url.pathname === '/v3/search')!;
    expect(Object.fromEntries(search.url.searchParams)).toEqual({ type: 'models', q: 'chair', count: '10', downloadable: 'true', archives_flavours: 'false' });
    expect(await ada.call('assets.sketchfabThumbnail', { uid: uid(1) })).toMatch(/^data:image\/png;base64,/);
    const preview = await ada.call('assets.sketchfabPreview', { uid: uid(1) });
    expect(preview).toMatchObject({ format: 'png', model_name: 'Wooden Chair', author: 'maker' });
    expect(Buffer.from(preview.image_base64, 'base64').readUInt32BE(16)).toBe(640); // the medium picture, not the small one
    expect(sketchfab.requests.filter((r) => r.url.pathname.startsWith('/files/')).every((r) => r.authorization === undefined)).toBe(true);
  });

  it('adds a model to the scene at the size asked for, its pictures kept, the unpacked folder gone', async () => {
    const added = await ada.call('assets.sketchfabDownload', { uid: uid(1), targetSize: 2 });
    // glTF is Y-up, Blender Z-up: the triangle stands in the X–Z plane, 2 m on its largest side.
    expect(added).toMatchObject({ imported_objects: ['Chair'], dimensions: [2, 0, 2] });
    expect(await objectsOf(ada)).toContain('Chair');
    expect(await run(ada, 'import bpy\nprint(all(i.packed_file for i in bpy.data.images if i.source == "FILE"), end="")')).toBe('True');
    expect(await stagingLeft(ada)).toBe('[]');
    // What the panel made in the home is the person's own, for them to remove should they want to.
    expect(await run(ada, 'import os\nprint(os.stat("/home/blender/.cache/blender-lab").st_uid, end="")')).toBe('1000');
  });

  it.each([
    [2, /invalid relative path: ..\/..\/..\/.bashrc|could mean another place/],
    [3, /"x.png", which is a link or another kind of entry than a file/],
    [4, /unpacks to more than 2048 MiB/],
    [5, /holds no glTF: nothing was added/],
  ])('refuses archive %i whole, adding nothing and leaving nothing in the home', async (n, message) => {
    const before = await objectsOf(ada);
    await expect(ada.call('assets.sketchfabDownload', { uid: uid(n), targetSize: 1 })).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: expect.stringMatching(message) });
    expect(await objectsOf(ada)).toEqual(before);
    expect(await stagingLeft(ada)).toBe('[]');
    expect(await run(ada, 'import os\nprint(os.path.exists("/home/blender/.bashrc") and "owned" in open("/home/blender/.bashrc").read(), end="")')).toBe('False');
  });

  it('says a model cannot be downloaded in words', async () => {
    await expect(ada.call('assets.sketchfabDownload', { uid: uid(6), targetSize: 1 })).rejects.toMatchObject({ code: 'ASSET_SOURCE_UNREACHABLE', message: expect.stringContaining('403') });
    await expect(ada.call('assets.sketchfabDownload', { uid: 'not-a-uid', targetSize: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
