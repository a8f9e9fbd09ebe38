import { AppError } from '../../../shared/errors';
import type { StartProgress } from '../../../shared/sessions';
import { ensureBlenderImage } from '../blender/blender-image';
import type { ImageOps } from '../engine/container-engine';

/** Where to build the image from when it is missing. */
export interface ImageSource {
  contextDir: string;
  baseImage: string;
}

/** The Blender image a start needs: there, or built once for everyone who signs in meanwhile. */
export class ImageSupply {
  private build: Promise<void> | null = null;

  constructor(private readonly images: ImageOps, private readonly source: ImageSource | null) {}

  /** The image's id, building it first when it is missing and a source is known. */
  async ensure(image: string, onProgress: (p: StartProgress) => void): Promise<string> {
    const info = await this.images.info(image);
    if (info) return info.id;
    const { source } = this;
    if (!source) throw new AppError('IMAGE_MISSING', `The Blender image ${image} is missing. Build it with 'npm run image'.`);
    this.build ??= ensureBlenderImage(this.images, {
      image,
      contextDir: source.contextDir,
      baseImage: source.baseImage,
      onProgress: (p) => onProgress({ step: 'image', message: `Building the Blender image: step ${p.step} of ${p.totalSteps}`, percent: Math.round((p.step / p.totalSteps) * 100) }),
    })
      .then(() => undefined)
      .finally(() => { this.build = null; });
    await this.build;
    const built = await this.images.info(image);
    if (!built) throw new AppError('IMAGE_MISSING', `The Blender image ${image} is still missing after building it`);
    return built.id;
  }
}
