import { Readable } from 'node:stream';
import { AppError } from '../../shared/errors';

/** Just enough of the tar format to hand Docker one file and read one back, in memory or streamed. */

const BLOCK = 512;
const END = Buffer.alloc(BLOCK * 2, 0);

interface Owner {
  mode: number;
  uid: number;
  gid: number;
  mtime?: Date;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, opts: Owner): Buffer {
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`);
  if (size > 0o77777777777) throw new Error('tar entry larger than 8 GiB');
  const block = Buffer.alloc(BLOCK, 0);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(opts.mode, 8), 100, 8, 'ascii');
  block.write(octal(opts.uid, 8), 108, 8, 'ascii');
  block.write(octal(opts.gid, 8), 116, 8, 'ascii');
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(Math.floor((opts.mtime ?? new Date()).getTime() / 1000), 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii'); // checksum is computed with its own field as spaces
  block.write('0', 156, 1, 'ascii'); // regular file
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return block;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);

export function tarOneFile(name: string, data: Buffer, opts: Owner): Buffer {
  return Buffer.concat([header(name, data.length, opts), data, padding(data.length), END]);
}

/**
 * A tar archive of one file whose bytes arrive as a stream of exactly `size` bytes; the archive
 * fails (and Docker writes nothing usable) if the body is shorter or longer than declared.
 */
export function tarOneFileStream(name: string, size: number, body: AsyncIterable<Uint8Array>, opts: Owner): Readable {
  async function* archive() {
    yield header(name, size, opts);
    let received = 0;
    for await (const chunk of body) {
      received += chunk.length;
      if (received > size) throw new AppError('INVALID_INPUT', `The upload is larger than the ${size} bytes it announced`);
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    }
    if (received < size) throw new AppError('INVALID_INPUT', `The upload ended after ${received} of ${size} bytes`);
    yield padding(size);
    yield END;
  }
  return Readable.from(archive(), { objectMode: false });
}

interface Entry {
  type: string;
  size: number;
}

function parseHeader(block: Buffer): Entry | null {
  if (block.every((b) => b === 0)) return null;
  const size = Number.parseInt(block.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
  return { type: String.fromCharCode(block[156] ?? 0x30), size };
}

/** The content of the first regular file in a tar archive, or null if there is none. */
export function untarFirstFile(archive: Buffer): Buffer | null {
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const entry = parseHeader(archive.subarray(offset, offset + BLOCK));
    if (!entry) return null;
    const start = offset + BLOCK;
    if (entry.type === '0' || entry.type === '\0') return archive.subarray(start, start + entry.size);
    offset = start + Math.ceil(entry.size / BLOCK) * BLOCK;
  }
  return null;
}

/** The content of the first regular file of a streamed tar archive, streamed: nothing is held whole. */
export async function* untarFirstFileStream(archive: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let entry: Entry | null = null;
  let left = 0; // bytes of the current entry (content and padding) still to pass or skip
  let emitting = false;
  for await (const chunk of archive) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length) {
      if (left > 0) {
        const take = Math.min(left, pending.length);
        if (emitting) {
          const content = Math.max(0, Math.min(take, left - (Math.ceil(entry!.size / BLOCK) * BLOCK - entry!.size)));
          if (content > 0) yield pending.subarray(0, content);
        }
        pending = pending.subarray(take);
        left -= take;
        if (left === 0 && emitting) return;
        continue;
      }
      if (pending.length < BLOCK) break;
      entry = parseHeader(pending.subarray(0, BLOCK));
      pending = pending.subarray(BLOCK);
      if (!entry) return;
      emitting = entry.type === '0' || entry.type === '\0';
      left = Math.ceil(entry.size / BLOCK) * BLOCK;
      if (emitting && left === 0) return;
    }
  }
}
