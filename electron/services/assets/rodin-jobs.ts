import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { pictureFromHome, stagedFrom, stageInHome, withDownload } from './home-staging';
import { RODIN_ID, type Rodin, type RodinTask } from './rodin';
import { DOWNLOAD_STALL_MS, type DownloadProgress } from './fetch-capped';

/** Where in a person's home a generated model waits for their add-on to import it (and is removed after). */
const STAGING = '.cache/blender-lab/generated';
const MAX_PICTURES = 5;

/** Hyper3D Rodin for one person: jobs from a prompt or pictures (their files, or addresses), and the result brought into their Blender. */
export class RodinJobs {
  constructor(private readonly deps: { rodin: Rodin; engine: Pick<ContainerEngine, 'files' | 'containers'>; blender: BlenderTarget; home: HomeTarget; limitBytes: () => number }) {}

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
      ? await Promise.all(paths.map((path) => pictureFromHome(this.deps.home, userId, path)))
      : await Promise.all(urls!.map((url) => this.deps.rodin.picture(url)));
    return this.deps.rodin.generate(userId, { images, bbox });
  }

  poll(userId: string, subscriptionKey: string): Promise<{ status_list: string[] }> {
    return this.deps.rodin.poll(userId, subscriptionKey);
  }

  /** The task's model, once done, fetched by the panel and added to the scene as `name`. */
  async import(userId: string, name: string, taskUuid: string, progress: (p: DownloadProgress) => void = () => {}): Promise<BlenderResult<'import_generated_asset'>> {
    const { blender, home } = this.deps;
    if (!RODIN_ID.test(taskUuid)) throw new AppError('INVALID_INPUT', `${JSON.stringify(taskUuid.slice(0, 80))} is not a Rodin task`);
    const container = blender.runningContainer(userId);
    const url = await this.deps.rodin.result(userId, taskUuid);
    const file = `${STAGING}/${taskUuid}.glb`;
    try {
      await withDownload(url, { maxBytes: this.deps.limitBytes(), stallMs: DOWNLOAD_STALL_MS, what: `Rodin's model of ${taskUuid}` }, (bytes) => progress({ bytes, total: bytes, message: 'Fetching the generated model' }), (local, size) =>
        stageInHome(this.deps.engine, container, STAGING, [stagedFrom(local, size, `${taskUuid}.glb`)]),
      );
      return await blender.command(userId, 'import_generated_asset', { name, task_uuid: taskUuid, import_file: file });
    } finally {
      await home.removeFromHome(userId, file).catch(() => {}); // already gone when the add-on imported it
    }
  }
}
