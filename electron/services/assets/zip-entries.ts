import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AppError } from '../../../shared/errors';
import { mebibytes } from './fetch-capped';
import { safeRelativePath } from './safe-names';

export interface ZipEntry {
  /** Where it goes, relative to the folder it is unpacked into (checked). */
  path: string;
  /** Its size once unpacked, as the archive declares it (yauzl holds the data to it). */
  size: number;
  open(): Promise<Readable>;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/**
 * The files of a zip archive from a server, every one checked before anything is unpacked: a
 * name that is absolute, has `..` or could mean another place, a link or any other kind of entry
 * than a plain file, an encrypted one, more than `maxEntries`, or more than `maxBytes` unpacked
 * in all (a zip bomb), and the whole archive is refused.
 */
export async function zipEntries(file: string, limits: { maxBytes: number; maxEntries: number }, what: string): Promise<{ entries: ZipEntry[]; close(): void }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true });
  } catch (error) {
    throw refused(what, `is not a zip archive that can be read (${(error as Error).message})`);
  }
  const entries: ZipEntry[] = [];
  let total = 0;
  try {
    for await (const entry of readAll(zip)) {
      if (entry.fileName.endsWith('/')) continue; // a folder: made as its files are written
      const kind = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (kind !== 0 && kind !== S_IFREG) throw refused(what, `holds ${JSON.stringify(entry.fileName.slice(0, 120))}, which is a link or another kind of entry than a file`);
      if (entry.isEncrypted()) throw refused(what, `holds an encrypted entry, ${JSON.stringify(entry.fileName.slice(0, 120))}`);
      const path = safeRelativePath(entry.fileName);
      if (!path) throw refused(what, `holds a file named ${JSON.stringify(entry.fileName.slice(0, 120))}, which could mean another place`);
      total += entry.uncompressedSize;
      if (total > limits.maxBytes) throw refused(what, `unpacks to more than ${mebibytes(limits.maxBytes)}`);
      if (entries.length >= limits.maxEntries) throw refused(what, `holds more than ${limits.maxEntries} files`);
      entries.push({ path, size: entry.uncompressedSize, open: () => zip.openReadStreamPromise(entry) });
    }
  } catch (error) {
    zip.close();
    if (error instanceof AppError) throw error;
    // yauzl's own refusals: an absolute path, `..`, a backslash, sizes that do not add up.
    throw refused(what, `was refused as it was read: ${(error as Error).message}`);
  }
  return { entries, close: () => zip.close() };
}

async function* readAll(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const next = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      const cleanup = () => zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
      const onEnd = () => (cleanup(), resolve(null));
      const onError = (error: Error) => (cleanup(), reject(error));
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
    if (!next) return;
    yield next;
  }
}

function refused(what: string, why: string): AppError {
  return new AppError('ASSET_REFUSED', `${what} ${why}: refused, nothing was added`);
}
