import { describe, expect, it } from 'vitest';
import { planDownload } from '../../electron/services/assets/polyhaven-files';
import { safeRelativePath } from '../../electron/services/assets/safe-names';

const file = (name: string) => ({ url: `https://dl.polyhaven.org/file/ph-assets/${name}`, md5: 'a'.repeat(32), size: 10 });

describe('a name from a server', () => {
  it.each(['textures/wood_diff_1k.jpg', 'scene.bin', 'a b/c-d_e.png'])('is kept when it stays in its folder: %s', (name) => {
    expect(safeRelativePath(name)).toBe(name);
  });

  it.each([
    '../../home/blender/.bashrc', 'textures/../../x', '/etc/passwd', 'C:\\Windows\\x', 'textures\\x.png', '.hidden', 'textures/./x.png',
    'a//b', '', 'x\u0000.png', 'x\n.png', 'trailing.', 'trailing ', Array.from({ length: 9 }, () => 'd').join('/'),
  ])('is refused when it could mean another place: %j', (name) => {
    expect(safeRelativePath(name)).toBeNull();
  });
});

describe('a PolyHaven file list', () => {
  it('gives an HDRI one file named for the asset, whatever its address says', () => {
    const plan = planDownload('dusk', 'hdris', '1k', 'hdr', { hdri: { '1k': { hdr: file('../../evil.hdr') } } });
    expect(plan.files.map((f) => f.path)).toEqual(['dusk.hdr']);
    expect(plan.manifest).toMatchObject({ main: 'dusk.hdr', bytes: 10 });
  });

  it('gives a texture one file per map, leaving out what is not a map', () => {
    const plan = planDownload('bricks', 'textures', '2k', 'jpg', { Diffuse: { '2k': { jpg: file('d.jpg') } }, nor_gl: { '2k': { jpg: file('n.jpg') } }, blend: { '2k': { blend: file('b.blend') } }, Rough: { '1k': { jpg: file('r.jpg') } } });
    expect(plan.manifest.maps).toEqual({ Diffuse: 'Diffuse.jpg', nor_gl: 'nor_gl.jpg' });
  });

  it.each([
    [{ gltf: { '1k': { gltf: { ...file('m.gltf'), include: { '../../../home/blender/.bashrc': file('x') } } } } }, /an included file named/],
    [{ gltf: { '1k': { gltf: { ...file('m.gltf'), include: { 'statue.gltf': file('x') } } } } }, /an included file named "statue.gltf"/],
    [{ gltf: { '1k': { gltf: { ...file('m.gltf'), url: 'http://mirror.example/m.gltf' } } } }, /neither https nor this machine/],
    [{ gltf: { '1k': { gltf: { ...file('m.gltf'), md5: 'not an md5' } } } }, /not in the shape it documents/],
  ])('refuses a model whose list is hostile, naming what: %#', (answer, message) => {
    expect(() => planDownload('statue', 'models', '1k', 'gltf', answer)).toThrow(expect.objectContaining({ code: 'ASSET_REFUSED', message: expect.stringMatching(message) }));
  });

  it('refuses a map whose name could be a path', () => {
    expect(() => planDownload('bricks', 'textures', '1k', 'jpg', { '../x': { '1k': { jpg: file('d.jpg') } } })).toThrow(expect.objectContaining({ code: 'ASSET_REFUSED' }));
  });

  it('says which resolution or format is missing, and which formats a kind is added from', () => {
    expect(() => planDownload('dusk', 'hdris', '8k', 'hdr', { hdri: { '1k': { hdr: file('x') } } })).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'PolyHaven has no hdr of dusk at 8k' }));
    expect(() => planDownload('dusk', 'hdris', '1k', 'png', {})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: 'A PolyHaven hdri is added from hdr, exr, not png' }));
  });
});
