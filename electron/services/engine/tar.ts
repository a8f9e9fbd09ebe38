import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { AppError } from '../../../shared/errors';

/**
 * One file into and out of Docker's archive API, streamed, with tar-stream: sizes of 8 GiB and
 * more (base-256 or PAX headers) are read and written as Docker's own tar does.
 */

interface Owner {
  mode: number;
  uid: number;
  gid: number;
  mtime?: Date;
}

/** A tar archive of one small file held in memory (a session file). */
export function tarOneFile(name: string, data: Buffer, owner: Owner): Readable {
  const archive = pack();
  archive.entry({ name, size: data.length, type: 'file', mtime: owner.mtime ?? new Date(), ...owner }, data);
  archive.finalize();
  return Readable.from(archive);
}

/**
 * A tar archive of one file whose bytes arrive as a stream of exactly `size` bytes; the archive
 * fails (and Docker writes nothing usable) if the body is shorter or longer than declared.
 */
export function tarOneFileStream(name: string, size: number, body: AsyncIterable<Uint8Array>, owner: Owner): Readable {
  const archive = pack();
  const entry = archive.entry({ name, size, type: 'file', mtime: owner.mtime ?? new Date(), ...owner });
  // The error reaches Docker's reader through the stream returned; the pack and its entry need not shout it.
  archive.on('error', () => {});
  entry.on('error', () => {});
  // tar-stream finishes the archive once the entry is written whole.
  void exactly(size, body, entry).then(
    () => archive.finalize(),
    (error: Error) => archive.destroy(error),
  );
  return Readable.from(archive);
}

async function exactly(size: number, body: AsyncIterable<Uint8Array>, entry: NodeJS.WritableStream): Promise<void> {
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (received > size) throw new AppError('INVALID_INPUT', `The upload is larger than the ${size} bytes it announced`);
    if (!entry.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) await new Promise((resolve) => entry.once('drain', resolve));
  }
  if (received < size) throw new AppError('INVALID_INPUT', `The upload ended after ${received} of ${size} bytes`);
  await new Promise<void>((resolve, reject) => {
    entry.once('error', reject);
    entry.once('finish', () => resolve());
    entry.end();
  });
}

export interface ArchivedFile {
  /** As the engine's tar header says (Docker writes it from the file system, not from the container's word). */
  size: number;
  body: AsyncIterable<Buffer>;
}

/**
 * The first regular file of a streamed tar archive, streamed: nothing is held whole, and the
 * rest of the archive is not read. Null when the archive holds no regular file.
 */
export function firstFileOf(archive: AsyncIterable<Buffer>): Promise<ArchivedFile | null> {
  const source = Readable.from(archive);
  const reader = extract();
  const stop = () => {
    source.destroy();
    reader.destroy();
  };
  return new Promise<ArchivedFile | null>((resolve, reject) => {
    let found = false;
    reader.on('entry', (header, stream, next) => {
      if (found || header.type !== 'file') {
        stream.on('end', next);
        stream.resume();
        return;
      }
      found = true;
      resolve({ size: header.size ?? 0, body: bodyOf(stream as unknown as AsyncIterable<Buffer>, stop) });
    });
    reader.on('finish', () => { if (!found) resolve(null); });
    reader.on('error', (error: Error) => { if (!found) reject(error); });
    source.on('error', (error: Error) => {
      if (!found) reject(error);
      reader.destroy(error);
    });
    source.pipe(reader as unknown as NodeJS.WritableStream);
  });
}

async function* bodyOf(stream: AsyncIterable<Buffer>, done: () => void): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk;
  } finally {
    done();
  }
}

/** The first regular file of an archive, whole, refused beyond `maxBytes` however large its header says it is. */
export async function readFirstFile(archive: AsyncIterable<Buffer>, maxBytes: number, what: string): Promise<Buffer | null> {
  const file = await firstFileOf(archive);
  if (!file) return null;
  const tooLarge = () => new AppError('INVALID_INPUT', `${what} is larger than the ${maxBytes} bytes the panel reads of it`);
  if (file.size > maxBytes) {
    await file.body[Symbol.asyncIterator]().return?.(undefined); // stop reading at once
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of file.body) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
