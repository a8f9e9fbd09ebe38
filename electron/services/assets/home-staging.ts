import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../shared/errors';
import { IMAGE_FACTS } from '../blender/image-contract';
import type { ContainerEngine } from '../engine/container-engine';
import type { HomeTarget } from './blender-target';
import { fetchUpTo } from './fetch-capped';
import { zipEntries } from './zip-entries';

export interface StagedFile {
  /** Relative to the staging folder (checked by whoever listed it). */
  path: string;
  size: number;
  open(): Promise<Readable>;
}

/**
 * Files the panel fetched, put into a folder of the person's home for their add-on to import:
 * folders made by the person's own user (the archive API would make missing ones as root, which
 * the person could then never remove), files written as theirs.
 */
export async function stageInHome(engine: Pick<ContainerEngine, 'files' | 'containers'>, container: string, folder: string, files: StagedFile[]): Promise<void> {
  const folders = [...new Set([folder, ...files.map((f) => `${folder}/${f.path}`.split('/').slice(0, -1).join('/'))])].map((f) => `${IMAGE_FACTS.home}/${f}`);
  const { exitCode } = await engine.containers.exec(container, ['/usr/bin/mkdir', '-p', '--', ...folders]);
  if (exitCode !== 0) throw new AppError('INTERNAL', `The folders for the download could not be made in your home (mkdir exited with ${exitCode})`);
  for (const file of files) {
    await engine.files.putStream(container, IMAGE_FACTS.home, `${folder}/${file.path}`, file.size, await file.open(), { uid: IMAGE_FACTS.uid, gid: IMAGE_FACTS.gid });
  }
}

/**
 * Runs `use` on a download of `url` held in a private file of the panel's (its size unknown
 * ahead, capped at `maxBytes`); the file is gone afterwards, whatever happened.
 */
export async function withDownload<T>(url: string, limits: { maxBytes: number; stallMs: number; what: string }, counted: (bytes: number) => void, use: (file: string, size: number) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-download-'));
  try {
    const file = path.join(dir, 'download');
    await pipeline(fetchUpTo(url, limits, counted), createWriteStream(file, { mode: 0o600 }));
    return await use(file, (await stat(file)).size);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One downloaded file as a file to stage. */
export function stagedFrom(file: string, size: number, as: string): StagedFile {
  return { path: as, size, open: async () => createReadStream(file) };
}

/**
 * A zip the panel fetched, every entry checked (`zipEntries`), unpacked into `folder` of the
 * person's home; refused whole unless it holds a file `holds` matches (the `kind` of model it must have).
 */
export async function unpackIntoHome(
  engine: Pick<ContainerEngine, 'files' | 'containers'>,
  container: string,
  zip: string,
  folder: string,
  limits: { maxBytes: number; maxEntries: number; what: string; holds: RegExp; kind: string },
): Promise<void> {
  const { entries, close } = await zipEntries(zip, limits, limits.what);
  try {
    if (!entries.some((e) => limits.holds.test(e.path))) throw new AppError('ASSET_REFUSED', `${limits.what} holds no ${limits.kind}: nothing was added`);
    await stageInHome(engine, container, folder, entries);
  } finally {
    close();
  }
}

/** A reference picture for a generator: the most bytes, and the kinds. */
const PICTURE_BYTES = 10 * 1024 * 1024;
const PICTURE_NAME = /\.(png|jpe?g|webp)$/i;

/** A picture among the person's files (`path` in their home, or relative to it), with its suffix. */
export async function pictureFromHome(home: HomeTarget, userId: string, path: string): Promise<{ name: string; bytes: Buffer }> {
  const relative = path.startsWith(`${IMAGE_FACTS.home}/`) ? path.slice(IMAGE_FACTS.home.length).replace(/^\/+/, '') : path;
  const suffix = PICTURE_NAME.exec(relative)?.[0];
  if (!suffix) throw new AppError('INVALID_INPUT', `${path} is not a PNG, JPEG or WebP picture`);
  return { name: suffix.toLowerCase(), bytes: await home.readFromHome(userId, relative, PICTURE_BYTES, 'to send') };
}
