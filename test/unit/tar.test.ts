import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import Docker from 'dockerode';
import { readStdout, type Demux } from '../../electron/services/engine/exec-output';
import { firstFileOf, readFirstFile, tarOneFile, tarOneFileStream } from '../../electron/services/engine/tar';

const GiB = 1024 ** 3;

/** The header of an archive's first entry, as a tar reader (Docker's among them) sees it. */
async function firstHeader(archive: Readable): Promise<{ name: string; size: number }> {
  const reader = extract();
  return new Promise((resolve, reject) => {
    reader.on('entry', (header) => {
      resolve({ name: header.name, size: header.size ?? -1 });
      archive.destroy();
    });
    reader.on('error', reject);
    archive.on('data', (chunk: Buffer) => reader.write(chunk));
  });
}

async function* zeros(total: number) {
  for (let sent = 0; sent < total; sent += 1 << 20) yield Buffer.alloc(Math.min(1 << 20, total - sent));
}

async function* frames(...parts: [number, string][]) {
  const all = Buffer.concat(parts.map(([kind, text]) => {
    const head = Buffer.alloc(8);
    head[0] = kind;
    head.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([head, Buffer.from(text)]);
  }));
  for (let i = 0; i < all.length; i += 3) yield all.subarray(i, i + 3); // headers split across chunks too
}

describe('tar archives of one file', () => {
  it('write a file of 8 GiB or more with a size a tar reader reads back whole', async () => {
    expect(await firstHeader(tarOneFileStream('big.bin', 9 * GiB, zeros(9 * GiB), { mode: 0o644, uid: 1000, gid: 1000 }))).toEqual({ name: 'big.bin', size: 9 * GiB });
  });

  it('fail when the body is shorter or longer than announced, saying which', async () => {
    const drain = async (archive: Readable) => { for await (const _ of archive) void _; };
    await expect(drain(tarOneFileStream('a', 1000, zeros(400), { mode: 0o644, uid: 1, gid: 1 }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'The upload ended after 400 of 1000 bytes' });
    await expect(drain(tarOneFileStream('a', 10, zeros(400), { mode: 0o644, uid: 1, gid: 1 }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'The upload is larger than the 10 bytes it announced' });
  });

  it('read back the first file, whole only up to a limit', async () => {
    const archive = () => tarOneFile('session.env', Buffer.from('A=1\n'), { mode: 0o600, uid: 1000, gid: 1000 });
    expect((await readFirstFile(archive(), 100, 'session.env'))?.toString()).toBe('A=1\n');
    await expect(readFirstFile(archive(), 2, 'session.env')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'session.env is larger than the 2 bytes the panel reads of it' });
    const file = await firstFileOf(tarOneFileStream('big.bin', 9 * GiB, zeros(9 * GiB), { mode: 0o644, uid: 1, gid: 1 }));
    expect(file?.size).toBe(9 * GiB);
  });
});

describe('what a command printed', () => {
  const modem = new Docker({ socketPath: '/nonexistent.sock' }).modem;
  const demux: Demux = (from, out, err) => modem.demuxStream(from, out, err);
  it('keeps stdout only, however the frames are cut', async () => {
    expect(await readStdout(Readable.from(frames([1, 'out 1\n'], [2, 'err\n'], [1, 'out 2\n'])), demux)).toBe('out 1\nout 2\n');
  });

  it('stops reading beyond the limit, with a clear error', async () => {
    const endless = Readable.from((async function* () { for (;;) yield* frames([1, 'y\n'.repeat(1000)]); })());
    await expect(readStdout(endless, demux, 64 * 1024, 'yes')).rejects.toMatchObject({ message: 'yes printed more than 64 KiB; the panel stopped reading it' });
    expect(endless.destroyed).toBe(true);
  });
});
