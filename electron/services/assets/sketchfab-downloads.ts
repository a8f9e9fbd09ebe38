import { randomBytes } from 'node:crypto';
import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { stageInHome, withDownload } from './home-staging';
import type { Sketchfab } from './sketchfab';
import { zipEntries } from './zip-entries';

/** Where in a person's home a model is unpacked for their Blender to import (and removed after). */
const STAGING = '.cache/blender-lab/sketchfab';
const MAX_ENTRIES = 5000;
const STALL_MS = 30_000;

export type Progress = (p: { bytes: number; total: number; message: string }) => void;

/**
 * Sketchfab models into a person's Blender: the glTF archive fetched by the panel with their own
 * key (capped, every entry checked before anything is unpacked), unpacked into a folder of their
 * home, imported by their add-on, and the folder removed again whatever happened.
 */
export class SketchfabDownloads {
  constructor(private readonly deps: { sketchfab: Sketchfab; engine: Pick<ContainerEngine, 'files' | 'containers'>; target: BlenderTarget & HomeTarget; limitBytes: () => number }) {}

  async add(userId: string, uid: string, targetSize: number, progress: Progress = () => {}): Promise<BlenderResult<'download_sketchfab_model'>> {
    const { sketchfab, target } = this.deps;
    const container = target.runningContainer(userId);
    const limit = this.deps.limitBytes();
    const archive = await sketchfab.archive(userId, uid);
    if (archive.size !== null && archive.size > limit) throw new AppError('ASSET_REFUSED', `${uid}'s archive is ${mib(archive.size)}, more than the ${mib(limit)} one download may bring in (assetDownloadLimitMiB)`);
    const staging = `${STAGING}/${uid}-${randomBytes(4).toString('hex')}`;
    const total = archive.size ?? 0;
    try {
      await withDownload(archive.url, { maxBytes: limit, stallMs: STALL_MS, what: `${uid}'s archive` }, (bytes) => progress({ bytes, total: Math.max(total, bytes), message: `Fetching ${uid}` }), async (zip) => {
        const { entries, close } = await zipEntries(zip, { maxBytes: limit, maxEntries: MAX_ENTRIES }, `${uid}'s archive`);
        try {
          if (!entries.some((e) => /\.(gltf|glb)$/i.test(e.path))) throw new AppError('ASSET_REFUSED', `${uid}'s archive holds no glTF: nothing was added`);
          await stageInHome(this.deps.engine, container, staging, entries);
        } finally {
          close();
        }
      });
      progress({ bytes: total, total, message: `Adding ${uid} to your scene` });
      return await target.command(userId, 'download_sketchfab_model', { uid, target_size: targetSize, import_dir: staging });
    } finally {
      await target.removeFromHome(userId, staging).catch(() => {}); // already gone when the add-on imported it
    }
  }
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
