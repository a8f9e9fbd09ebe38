import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { stagedFrom, stageInHome, withDownload } from './home-staging';
import { RODIN_ID, type Rodin, type RodinTask } from './rodin';
import type { Progress } from './sketchfab-downloads';

/** Where in a person's home a generated model waits for their add-on to import it (and is removed after). */
const STAGING = '.cache/blender-lab/generated';
/** A reference picture from the person's files: the most bytes, and the kinds. */
const PICTURE_BYTES = 10 * 1024 * 1024;
const PICTURE_NAME = /\.(png|jpe?g|webp)$/i;
const MAX_PICTURES = 5;
const STALL_MS = 30_000;

/** Hyper3D Rodin for one person: jobs from a prompt or pictures (their files, or addresses), and the result brought into their Blender. */
export class RodinJobs {
  constructor(private readonly deps: { rodin: Rodin; engine: Pick<ContainerEngine, 'files' | 'containers'>; target: BlenderTarget & HomeTarget; limitBytes: () => number }) {}

  fromText(userId: string, prompt: string, bbox?: [number, number, number]): Promise<RodinTask> {
    if (!prompt.trim()) throw new AppError('INVALID_INPUT', 'Describe the model to generate');
    return this.deps.rodin.generate(userId, { prompt: prompt.trim(), bbox });
  }

  /** Pictures of the model: paths of the person's own files, or https addresses; one or the other. */
  async fromImages(userId: string, source: { paths?: string[]; urls?: string[] }, bbox?: [number, number, number]): Promise<RodinTask> {
    const { paths, urls } = source;
    if (!!paths?.length === !!urls?.length) throw new AppError('INVALID_INPUT', 'Give pictures either as files of yours (input_image_paths) or as addresses (input_image_urls), not both and not none');
    if ((paths ?? urls)!.length > MAX_PICTURES) throw new AppError('INVALID_INPUT', `At most ${MAX_PICTURES} pictures`);
    const images = paths
      ? await Promise.all(paths.map(async (path) => this.fileOf(userId, path)))
      : await Promise.all(urls!.map((url) => this.deps.rodin.picture(url)));
    return this.deps.rodin.generate(userId, { images, bbox });
  }

  poll(userId: string, subscriptionKey: string): Promise<{ status_list: string[] }> {
    return this.deps.rodin.poll(userId, subscriptionKey);
  }

  /** The task's model, once done, fetched by the panel and added to the scene as `name`. */
  async import(userId: string, name: string, taskUuid: string, progress: Progress = () => {}): Promise<BlenderResult<'import_generated_asset'>> {
    const { target } = this.deps;
    if (!RODIN_ID.test(taskUuid)) throw new AppError('INVALID_INPUT', `${JSON.stringify(taskUuid.slice(0, 80))} is not a Rodin task`);
    const container = target.runningContainer(userId);
    const url = await this.deps.rodin.result(userId, taskUuid);
    const file = `${STAGING}/${taskUuid}.glb`;
    try {
      await withDownload(url, { maxBytes: this.deps.limitBytes(), stallMs: STALL_MS, what: `Rodin's model of ${taskUuid}` }, (bytes) => progress({ bytes, total: bytes, message: 'Fetching the generated model' }), (local, size) =>
        stageInHome(this.deps.engine, container, STAGING, [stagedFrom(local, size, `${taskUuid}.glb`)]),
      );
      return await target.command(userId, 'import_generated_asset', { name, task_uuid: taskUuid, import_file: file });
    } finally {
      await target.removeFromHome(userId, file).catch(() => {}); // already gone when the add-on imported it
    }
  }

  private async fileOf(userId: string, path: string): Promise<{ name: string; bytes: Buffer }> {
    const relative = path.replace(/^\/home\/blender\/+/, '');
    const suffix = PICTURE_NAME.exec(relative)?.[0];
    if (!suffix) throw new AppError('INVALID_INPUT', `${path} is not a PNG, JPEG or WebP picture`);
    return { name: suffix.toLowerCase(), bytes: await this.deps.target.readFromHome(userId, relative, PICTURE_BYTES, 'to send') };
  }
}
