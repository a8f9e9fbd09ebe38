import { randomBytes } from 'node:crypto';
import type { BlenderResult } from '../../../shared/blender';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { DOWNLOAD_STALL_MS, type DownloadProgress } from './fetch-capped';
import { pictureFromHome, unpackIntoHome, withDownload } from './home-staging';
import type { Hunyuan } from './hunyuan';

/** Where in a person's home a generated OBJ is unpacked for their add-on to import (and removed after). */
const STAGING = '.cache/blender-lab/hunyuan';
const MAX_ENTRIES = 200;

/** Hunyuan3D for one person: a job from a description or a picture (theirs, or an address), and its OBJ brought into their Blender. */
export class HunyuanJobs {
  constructor(private readonly deps: { hunyuan: Hunyuan; engine: Pick<ContainerEngine, 'files' | 'containers'>; blender: BlenderTarget; home: HomeTarget; limitBytes: () => number }) {}

  /** `image` is a path in the person's home, or an https address (as blender-mcp's input_image_url). */
  async generate(userId: string, prompt: string | undefined, image: string | undefined): Promise<{ job_id: string }> {
    if (image && !/^https?:\/\//i.test(image)) {
      const { bytes } = await pictureFromHome(this.deps.home, userId, image);
      return this.deps.hunyuan.submit(userId, { prompt, imageBase64: bytes.toString('base64') });
    }
    return this.deps.hunyuan.submit(userId, { prompt, imageUrl: image });
  }

  poll(userId: string, jobId: string) {
    return this.deps.hunyuan.query(userId, jobId);
  }

  /** The job's zip (an address one of the person's polls returned), its entries checked, unpacked into their home and imported as `name`. */
  async import(userId: string, name: string, zipUrl: string, progress: (p: DownloadProgress) => void = () => {}): Promise<BlenderResult<'import_generated_asset_hunyuan'>> {
    const { blender, home, hunyuan } = this.deps;
    hunyuan.checkResult(userId, zipUrl);
    const container = blender.runningContainer(userId);
    const limit = this.deps.limitBytes();
    const staging = `${STAGING}/${randomBytes(8).toString('hex')}`;
    const what = 'Hunyuan3D\'s model';
    try {
      await withDownload(zipUrl, { maxBytes: limit, stallMs: DOWNLOAD_STALL_MS, what }, (bytes) => progress({ bytes, total: bytes, message: 'Fetching the generated model' }), (zip) =>
        unpackIntoHome(this.deps.engine, container, zip, staging, { maxBytes: limit, maxEntries: MAX_ENTRIES, what, holds: /\.obj$/i, kind: 'OBJ' }),
      );
      return await blender.command(userId, 'import_generated_asset_hunyuan', { name, import_dir: staging });
    } finally {
      await home.removeFromHome(userId, staging).catch(() => {});
    }
  }
}
