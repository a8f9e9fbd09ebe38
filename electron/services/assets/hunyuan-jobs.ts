import { randomBytes } from 'node:crypto';
import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { stageInHome, withDownload } from './home-staging';
import type { Hunyuan } from './hunyuan';
import type { Progress } from './sketchfab-downloads';
import { zipEntries } from './zip-entries';

/** Where in a person's home a generated OBJ is unpacked for their add-on to import (and removed after). */
const STAGING = '.cache/blender-lab/hunyuan';
const PICTURE_BYTES = 10 * 1024 * 1024;
const MAX_ENTRIES = 200;
const STALL_MS = 30_000;

/** Hunyuan3D for one person: a job from a description or a picture (theirs, or an address), and its OBJ brought into their Blender. */
export class HunyuanJobs {
  constructor(private readonly deps: { hunyuan: Hunyuan; engine: Pick<ContainerEngine, 'files' | 'containers'>; target: BlenderTarget & HomeTarget; limitBytes: () => number }) {}

  /** `image` is a path in the person's home, or an https address (as blender-mcp's input_image_url). */
  async generate(userId: string, prompt: string | undefined, image: string | undefined): Promise<{ job_id: string }> {
    if (image && !/^https?:\/\//i.test(image)) {
      if (!/\.(png|jpe?g|webp)$/i.test(image)) throw new AppError('INVALID_INPUT', `${image} is not a PNG, JPEG or WebP picture`);
      const bytes = await this.deps.target.readFromHome(userId, image.replace(/^\/home\/blender\/+/, ''), PICTURE_BYTES, 'to send');
      return this.deps.hunyuan.submit(userId, { prompt, imageBase64: bytes.toString('base64') });
    }
    return this.deps.hunyuan.submit(userId, { prompt, imageUrl: image });
  }

  poll(userId: string, jobId: string) {
    return this.deps.hunyuan.query(userId, jobId);
  }

  /** The job's zip (an address one of the person's polls returned), its entries checked, unpacked into their home and imported as `name`. */
  async import(userId: string, name: string, zipUrl: string, progress: Progress = () => {}): Promise<BlenderResult<'import_generated_asset_hunyuan'>> {
    const { target, hunyuan } = this.deps;
    hunyuan.checkResult(userId, zipUrl);
    const container = target.runningContainer(userId);
    const limit = this.deps.limitBytes();
    const staging = `${STAGING}/${randomBytes(8).toString('hex')}`;
    try {
      await withDownload(zipUrl, { maxBytes: limit, stallMs: STALL_MS, what: 'Hunyuan3D\'s model' }, (bytes) => progress({ bytes, total: bytes, message: 'Fetching the generated model' }), async (zip) => {
        const { entries, close } = await zipEntries(zip, { maxBytes: limit, maxEntries: MAX_ENTRIES }, 'Hunyuan3D\'s model');
        try {
          if (!entries.some((e) => /\.obj$/i.test(e.path))) throw new AppError('ASSET_REFUSED', 'Hunyuan3D\'s model holds no OBJ: nothing was added');
          await stageInHome(this.deps.engine, container, staging, entries);
        } finally {
          close();
        }
      });
      return await target.command(userId, 'import_generated_asset_hunyuan', { name, import_dir: staging });
    } finally {
      await target.removeFromHome(userId, staging).catch(() => {});
    }
  }
}
