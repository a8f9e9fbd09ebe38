import { randomBytes } from 'node:crypto';
import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { DOWNLOAD_STALL_MS, mib, type DownloadProgress } from './fetch-capped';
import { unpackIntoHome, withDownload } from './home-staging';
import type { Sketchfab } from './sketchfab';

/** Where in a person's home a model is unpacked for their Blender to import (and removed after). */
const STAGING = '.cache/blender-lab/sketchfab';
const MAX_ENTRIES = 5000;

/**
 * Sketchfab models into a person's Blender: the glTF archive fetched by the panel with their own
 * key (capped, every entry checked before anything is unpacked), unpacked into a folder of their
 * home, imported by their add-on, and the folder removed again whatever happened.
 */
export class SketchfabDownloads {
  constructor(private readonly deps: { sketchfab: Sketchfab; engine: Pick<ContainerEngine, 'files' | 'containers'>; blender: BlenderTarget; home: HomeTarget; limitBytes: () => number }) {}

  async add(userId: string, uid: string, targetSize: number, progress: (p: DownloadProgress) => void = () => {}): Promise<BlenderResult<'download_sketchfab_model'>> {
    const { sketchfab, blender, home } = this.deps;
    const container = blender.runningContainer(userId);
    const limit = this.deps.limitBytes();
    const archive = await sketchfab.archive(userId, uid);
    if (archive.size !== null && archive.size > limit) throw new AppError('ASSET_REFUSED', `${uid}'s archive is ${mib(archive.size)}, more than the ${mib(limit)} one download may bring in (assetDownloadLimitMiB)`);
    const staging = `${STAGING}/${uid}-${randomBytes(4).toString('hex')}`;
    const total = archive.size ?? 0;
    const what = `${uid}'s archive`;
    try {
      await withDownload(archive.url, { maxBytes: limit, stallMs: DOWNLOAD_STALL_MS, what }, (bytes) => progress({ bytes, total: Math.max(total, bytes), message: `Fetching ${uid}` }), (zip) =>
        unpackIntoHome(this.deps.engine, container, zip, staging, { maxBytes: limit, maxEntries: MAX_ENTRIES, what, holds: /\.(gltf|glb)$/i, kind: 'glTF' }),
      );
      progress({ bytes: total, total, message: `Adding ${uid} to your scene` });
      return await blender.command(userId, 'download_sketchfab_model', { uid, target_size: targetSize, import_dir: staging });
    } finally {
      await home.removeFromHome(userId, staging).catch(() => {}); // already gone when the add-on imported it
    }
  }
}
