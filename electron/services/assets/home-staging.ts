import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../shared/errors';
import { IMAGE_FACTS } from '../blender/image-contract';
import type { ContainerEngine } from '../engine/container-engine';
import { fetchUpTo } from './fetch-capped';

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
