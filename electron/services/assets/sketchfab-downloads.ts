import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import { IMAGE_FACTS } from '../blender/image-contract';
import type { ContainerEngine } from '../engine/container-engine';
import { fetchUpTo } from './fetch-capped';
import type { Sketchfab } from './sketchfab';
import { zipEntries } from './zip-entries';

/** Where in a person's home a model is unpacked for their Blender to import (and removed after). */
const STAGING = '.cache/blender-lab/sketchfab';
const MAX_ENTRIES = 5000;
const STALL_MS = 30_000;

/** The person's Blender and home, as far as adding a Sketchfab model to it goes. */
export interface ModelTarget {
  runningContainer(userId: string): string;
  command(userId: string, command: 'download_sketchfab_model', params: { uid: string; target_size: number; import_dir: string }): Promise<BlenderResult<'download_sketchfab_model'>>;
  /** Removes a path of the person's home (relative to it). */
  removeFromHome(userId: string, relative: string): Promise<void>;
}

/**
 * Sketchfab models into a person's Blender: the glTF archive fetched by the panel with their own
 * key (capped, every entry checked before anything is unpacked), unpacked into a folder of their
 * home, imported by their add-on, and the folder removed again whatever happened.
 */
export class SketchfabDownloads {
  constructor(private readonly deps: { sketchfab: Sketchfab; engine: Pick<ContainerEngine, 'files' | 'containers'>; target: ModelTarget; limitBytes: () => number }) {}

  async add(userId: string, uid: string, targetSize: number, progress: (p: { bytes: number; total: number; message: string }) => void = () => {}): Promise<BlenderResult<'download_sketchfab_model'>> {
    const { sketchfab, target } = this.deps;
    const container = target.runningContainer(userId);
    const limit = this.deps.limitBytes();
    const archive = await sketchfab.archive(userId, uid);
    if (archive.size !== null && archive.size > limit) throw new AppError('ASSET_REFUSED', `${uid}'s archive is ${mib(archive.size)}, more than the ${mib(limit)} one download may bring in (assetDownloadLimitMiB)`);
    const local = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-sketchfab-'));
    const staging = `${STAGING}/${uid}-${randomBytes(4).toString('hex')}`;
    try {
      const zip = path.join(local, 'model.zip');
      const total = archive.size ?? 0;
      await pipeline(fetchUpTo(archive.url, { maxBytes: limit, stallMs: STALL_MS, what: `${uid}'s archive` }, (bytes) => progress({ bytes, total: Math.max(total, bytes), message: `Fetching ${uid}` })), createWriteStream(zip, { mode: 0o600 }));
      const { entries, close } = await zipEntries(zip, { maxBytes: limit, maxEntries: MAX_ENTRIES }, `${uid}'s archive`);
      try {
        if (!entries.some((e) => /\.(gltf|glb)$/i.test(e.path))) throw new AppError('ASSET_REFUSED', `${uid}'s archive holds no glTF: nothing was added`);
        await this.makeFolders(container, staging, entries.map((e) => e.path));
        for (const entry of entries) {
          await this.deps.engine.files.putStream(container, IMAGE_FACTS.home, `${staging}/${entry.path}`, entry.size, await entry.open(), { uid: IMAGE_FACTS.uid, gid: IMAGE_FACTS.gid });
        }
      } finally {
        close();
      }
      progress({ bytes: total, total, message: `Adding ${uid} to your scene` });
      return await target.command(userId, 'download_sketchfab_model', { uid, target_size: targetSize, import_dir: staging });
    } finally {
      await rm(local, { recursive: true, force: true });
      await target.removeFromHome(userId, staging).catch(() => {}); // already gone when the add-on imported it
    }
  }

  /**
   * The folders the entries go into, made by the person's own user inside their container: the
   * archive API would make missing ones as root, which the person could then never remove.
   */
  private async makeFolders(container: string, staging: string, paths: string[]): Promise<void> {
    const folders = [...new Set([staging, ...paths.map((p) => `${staging}/${p}`.split('/').slice(0, -1).join('/'))])].map((f) => `${IMAGE_FACTS.home}/${f}`);
    const { exitCode } = await this.deps.engine.containers.exec(container, ['/usr/bin/mkdir', '-p', '--', ...folders]);
    if (exitCode !== 0) throw new AppError('INTERNAL', `The folders for the model could not be made in your home (mkdir exited with ${exitCode})`);
  }
}


function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
