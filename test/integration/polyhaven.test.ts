import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, radianceHdr, triangleGltf } from '../support/asset-files';
import { testEngine } from '../support/blender';
import { PolyHavenStandIn } from '../support/polyhaven-standin';
import { Harness } from '../support/sessions-harness';

// PolyHaven assets into people's real Blenders: the panel fetches from a stand-in that speaks
// PolyHaven's documented API into the engine's shared cache, and each person's add-on adds them.
const engine = testEngine();
const polyhaven = new PolyHavenStandIn({
  dusk_sky: { name: 'Dusk Sky', type: 0, categories: ['outdoor'], authors: { 'Greg Zaal': 'All' }, download_count: 10 },
  red_bricks: { name: 'Red Bricks', type: 1, categories: ['brick'], authors: { 'Rob Tuytel': 'All' }, download_count: 10 },
  tri_statue: { name: 'Triangle Statue', type: 2, categories: ['decorative'], authors: { 'Rico Cilliers': 'All' }, download_count: 10 },
});
let h: Harness;
let ada: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;

const run = async (who: typeof ada, code: string) => (await who.call('blender.run', { code })).output as string;
const objectsOf = async (who: typeof ada) => (await who.call('blender.sceneInfo')).objects.map((o: { name: string }) => o.name).sort();

beforeAll(async () => {
  await polyhaven.listen();
  const hdr = polyhaven.serve('dusk_sky_1k.hdr', radianceHdr(32, 16));
  polyhaven.fileTrees.set('dusk_sky', { hdri: { '1k': { hdr, exr: polyhaven.serve('dusk_sky_1k.exr', Buffer.from('not used')) } }, tonemapped: polyhaven.serve('dusk_sky.jpg', Buffer.from('jpg')) });
  polyhaven.fileTrees.set('red_bricks', {
    Diffuse: { '1k': { jpg: polyhaven.serve('red_bricks_diff_1k.jpg', png(8, 8, [180, 40, 30]), 'image/png'), png: polyhaven.serve('red_bricks_diff_1k.png', png(8, 8, [180, 40, 30])) } },
    Rough: { '1k': { jpg: polyhaven.serve('red_bricks_rough_1k.jpg', png(8, 8, [128, 128, 128])) } },
    nor_gl: { '1k': { jpg: polyhaven.serve('red_bricks_nor_gl_1k.jpg', png(8, 8, [128, 128, 255])) } },
    blend: { '1k': { blend: polyhaven.serve('red_bricks_1k.blend', Buffer.from('blend')) } },
  });
  const texture = polyhaven.serve('tri_statue_diff_1k.png', png(4, 4, [20, 200, 20]));
  polyhaven.fileTrees.set('tri_statue', {
    gltf: { '1k': { gltf: { ...polyhaven.serve('tri_statue_1k.gltf', triangleGltf('TriStatue', 'textures/tri_statue_diff_1k.png')), include: { 'textures/tri_statue_diff_1k.png': texture } } } },
  });
  h = await new Harness(engine, { polyhavenUrl: polyhaven.url }).init();
  await h.user('ada');
  await h.user('bob');
  ada = await h.window('ada', 'password 123');
  bob = await h.window('bob', 'password 123');
  await Promise.all([ada.call('session.start'), bob.call('session.start')]);
});

afterAll(async () => {
  await h?.cleanup();
  await polyhaven.close();
});

describe('PolyHaven in a person\'s Blender', () => {
  it('makes an HDRI the world, fetched once for everyone on the engine', async () => {
    const first = await ada.call('assets.polyhavenDownload', { assetId: 'dusk_sky', assetType: 'hdris' });
    expect(first).toMatchObject({ cached: false, image_name: 'dusk_sky' });
    const world = 'import bpy\nw = bpy.context.scene.world\nprint([n.image.name for n in w.node_tree.nodes if n.type == "TEX_ENVIRONMENT"], end="")';
    expect(await run(ada, world)).toBe("['dusk_sky']");
    const url = (polyhaven.fileTrees.get('dusk_sky') as { hdri: { '1k': { hdr: { url: string } } } }).hdri['1k'].hdr.url;
    expect(polyhaven.fetchesOf(url)).toBe(1);

    expect(await bob.call('assets.polyhavenDownload', { assetId: 'dusk_sky', assetType: 'hdris' })).toMatchObject({ cached: true });
    expect(await run(bob, world)).toBe("['dusk_sky']");
    expect(polyhaven.fetchesOf(url)).toBe(1);
  });

  it('makes a texture a material of its maps, and gives it to an object', async () => {
    const added = await ada.call('assets.polyhavenDownload', { assetId: 'red_bricks', assetType: 'textures', fileFormat: 'jpg' });
    expect(added).toMatchObject({ cached: false, material: 'red_bricks', maps: ['Diffuse', 'Rough', 'nor_gl'] });
    await run(ada, 'import bpy\nbpy.ops.mesh.primitive_cube_add()\nbpy.context.active_object.name = "Wall"');
    expect(await ada.call('assets.setTexture', { objectName: 'Wall', textureId: 'red_bricks' })).toMatchObject({ material: 'red_bricks' });
    expect(await run(ada, 'import bpy\nm = bpy.data.objects["Wall"].active_material\nprint(m.name, sorted(n.image.name for n in m.node_tree.nodes if n.type == "TEX_IMAGE"), all(i.packed_file for i in bpy.data.images if i.name.startswith("red_bricks")), end="")')).toBe(
      "red_bricks ['red_bricks_Diffuse', 'red_bricks_Rough', 'red_bricks_nor_gl'] True",
    );
    await expect(ada.call('assets.setTexture', { objectName: 'Wall', textureId: 'no_such_texture' })).rejects.toMatchObject({ code: 'BLENDER_COMMAND_FAILED', message: expect.stringMatching(/no texture 'no_such_texture'/) });
  });

  it('gives a texture to every selected object, telling the window how far its download got', async () => {
    polyhaven.fileTrees.set('green_tiles', { Diffuse: { '2k': { png: polyhaven.serve('green_tiles_diff_2k.png', png(256, 256, [20, 160, 60], [10, 80, 30])) } } });
    await run(ada, [
      'import bpy',
      'for o in bpy.context.view_layer.objects: o.select_set(False)',
      'for name in ("TileA", "TileB"):',
      '    bpy.ops.mesh.primitive_plane_add()',
      '    bpy.context.active_object.name = name',
      'for name in ("TileA", "TileB"): bpy.data.objects[name].select_set(True)',
    ].join('\n'));
    const heard = ada.events.length;
    const added = await ada.call('assets.polyhavenDownload', { assetId: 'green_tiles', assetType: 'textures', resolution: '2k', fileFormat: 'png', applyToSelected: true });
    expect(added).toMatchObject({ material: 'green_tiles', applied_to: ['TileA', 'TileB'] });
    expect(await run(ada, 'import bpy\nprint([bpy.data.objects[n].active_material.name for n in ("TileA", "TileB")], end="")')).toBe("['green_tiles', 'green_tiles']");
    const progress = ada.events.slice(heard).filter(([event]) => event === 'assets.progress').map(([, p]) => p as { assetId: string; bytes: number; total: number });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.assetId === 'green_tiles' && p.bytes <= p.total)).toBe(true);
    // Only the window that asked hears how far it got.
    expect(bob.events.some(([event, p]) => event === 'assets.progress' && (p as { assetId: string }).assetId === 'green_tiles')).toBe(false);
  });

  it('shows an asset\'s picture as the panel fetched it, and refuses one that is not an image', async () => {
    polyhaven.catalogue.dusk_sky!.thumbnail_url = polyhaven.serve('dusk_sky.png', png(16, 9, [60, 80, 160], [240, 150, 70]), 'image/png').url;
    polyhaven.catalogue.red_bricks!.thumbnail_url = polyhaven.serve('red_bricks.png', Buffer.from('<script>alert(1)</script>'), 'image/png').url;
    await ada.call('assets.polyhavenSearch', { assetType: 'all' });
    expect(await ada.call('assets.polyhavenThumbnail', { assetId: 'dusk_sky' })).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    await expect(ada.call('assets.polyhavenThumbnail', { assetId: 'red_bricks' })).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: 'The picture of red_bricks is not a WebP, PNG or JPEG image: refused' });
    expect(await ada.call('assets.polyhavenThumbnail', { assetId: 'never_listed' })).toBeNull();
  });

  it('adds a model with the files it includes to the scene', async () => {
    const added = await ada.call('assets.polyhavenDownload', { assetId: 'tri_statue', assetType: 'models' });
    expect(added).toMatchObject({ cached: false, imported_objects: ['TriStatue'] });
    expect(await objectsOf(ada)).toContain('TriStatue');
    expect(await run(ada, 'import bpy\nprint(bpy.data.objects["TriStatue"].active_material.node_tree.nodes["Image Texture"].image.packed_file is not None, end="")')).toBe('True');
  });

  it('lets nobody\'s Blender write into the shared cache', async () => {
    const tried = await run(bob, [
      'import os',
      'root = "/var/cache/blender-lab/assets"',
      'hit = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".hdr")][0]',
      'for attempt in (lambda: open(hit, "ab"), lambda: open(os.path.join(root, "planted.txt"), "w")):',
      '    try:',
      '        attempt()',
      '        print("written", end=" ")',
      '    except OSError as e:',
      '        print(e.strerror, end=" ")',
    ].join('\n'));
    // The cached file is root's and the mount read-only: either refusal is the kernel's, and nothing is written.
    expect(tried.trim()).toMatch(/^(Permission denied|Read-only file system) Read-only file system$/);
  });

  it('refuses a file list naming a path out of the asset\'s folder, writing nothing and changing nothing', async () => {
    const evil = polyhaven.serve('evil_1k.gltf', triangleGltf('Evil', 'x.png'));
    polyhaven.fileTrees.set('evil_statue', { gltf: { '1k': { gltf: { ...evil, include: { '../../../../home/blender/.bashrc': polyhaven.serve('bashrc', Buffer.from('echo owned\n')) } } } } });
    const before = await objectsOf(ada);
    await expect(ada.call('assets.polyhavenDownload', { assetId: 'evil_statue', assetType: 'models' })).rejects.toMatchObject({
      code: 'ASSET_REFUSED',
      message: expect.stringMatching(/an included file named "..\/..\/..\/..\/home\/blender\/.bashrc": refused, nothing was written/),
    });
    expect(polyhaven.fetchesOf(evil.url)).toBe(0);
    expect(await objectsOf(ada)).toEqual(before);
    expect(await run(ada, 'import os\nprint(os.path.exists("/home/blender/.bashrc") and "owned" in open("/home/blender/.bashrc").read(), end="")')).toBe('False');
  });

  it('refuses a file that is not the one listed, and an asset larger than the limit, saying why', async () => {
    const listed = polyhaven.serve('liar_1k.hdr', radianceHdr(8, 8));
    const served = polyhaven.serve('liar_other.hdr', radianceHdr(8, 8, [1, 2, 3, 130]));
    polyhaven.fileTrees.set('liar_sky', { hdri: { '1k': { hdr: { ...served, md5: listed.md5 } } } });
    await expect(ada.call('assets.polyhavenDownload', { assetId: 'liar_sky', assetType: 'hdris' })).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: expect.stringMatching(/its MD5 differs/) });

    polyhaven.fileTrees.set('huge_sky', { hdri: { '1k': { hdr: { ...polyhaven.serve('huge.hdr', radianceHdr(8, 8)), size: 3 * 1024 * 1024 * 1024 } } } });
    await expect(ada.call('assets.polyhavenDownload', { assetId: 'huge_sky', assetType: 'hdris' })).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: expect.stringMatching(/3072.0 MiB, more than the 2048.0 MiB one download may bring in/) });

    // The world is still the HDRI added first.
    expect(await run(ada, 'import bpy\nprint([n.image.name for n in bpy.context.scene.world.node_tree.nodes if n.type == "TEX_ENVIRONMENT"], end="")')).toBe("['dusk_sky']");
  });

  it('says a Blender must run first, before fetching anything', async () => {
    await bob.call('session.stop');
    const requests = polyhaven.requests.length;
    await expect(bob.call('assets.polyhavenDownload', { assetId: 'red_bricks', assetType: 'textures' })).rejects.toMatchObject({ code: 'SESSION_NOT_READY' });
    expect(polyhaven.requests.length).toBe(requests);
  });
});
