import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { zipEntries } from '../../electron/services/assets/zip-entries';
import { zipOf, type ZipInput } from '../support/zip-writer';

const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-zip-'));
const LIMITS = { maxBytes: 1024 * 1024, maxEntries: 10 };
let n = 0;
const zipFile = (entries: ZipInput[]) => {
  const file = path.join(dir, `${n++}.zip`);
  writeFileSync(file, zipOf(entries));
  return file;
};

describe('a zip archive from a server', () => {
  it('gives its files with their paths and contents, folders left to be made', async () => {
    const { entries, close } = await zipEntries(zipFile([{ name: 'scene.gltf', data: Buffer.from('{}') }, { name: 'textures/', data: Buffer.alloc(0), mode: 0o40755 }, { name: 'textures/a.png', data: Buffer.from('png') }]), LIMITS, 'The archive');
    expect(entries.map((e) => [e.path, e.size])).toEqual([['scene.gltf', 2], ['textures/a.png', 3]]);
    expect(await text(await entries[1]!.open())).toBe('png');
    close();
  });

  it.each([
    [[{ name: '../../etc/passwd', data: Buffer.from('x') }], /invalid relative path/],
    [[{ name: '/etc/passwd', data: Buffer.from('x') }], /absolute path/],
    [[{ name: 'textures\\..\\..\\x', data: Buffer.from('x') }], /refused/],
    [[{ name: '.ssh/authorized_keys', data: Buffer.from('x') }], /could mean another place/],
    [[{ name: 'link.png', data: Buffer.from('/home/blender/.bashrc'), mode: 0o120777 }], /which is a link or another kind of entry than a file/],
    [[{ name: 'bomb.bin', data: Buffer.alloc(8), declaredSize: 2 * 1024 * 1024 }], /unpacks to more than 1 MiB/],
    [Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })), /holds more than 10 files/],
  ] as [ZipInput[], RegExp][])('is refused whole when an entry is hostile: %#', async (entries, message) => {
    await expect(zipEntries(zipFile(entries), LIMITS, 'The archive')).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: expect.stringMatching(message) });
  });

  it('is refused when it is not a zip at all', async () => {
    const file = path.join(dir, 'not.zip');
    writeFileSync(file, '<html>moved</html>');
    await expect(zipEntries(file, LIMITS, 'The archive')).rejects.toMatchObject({ code: 'ASSET_REFUSED', message: expect.stringMatching(/is not a zip archive that can be read/) });
  });
});
