import { z } from 'zod';
import type { SourceStatus } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import { fetchJson } from './fetch-capped';
import { fetchPicture, isFetchable } from './images';

/** How long one of Rodin's answers may take, and the most it may hold. */
const ANSWER = { timeoutMs: 60_000, maxBytes: 4 * 1024 * 1024 };
/** A reference picture fetched from an address: the most bytes, and the kinds. */
const PICTURE = { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024 };
export const HYPER3D_KEY = 'HYPER3D_API_KEY';
/** A task's uuid or a subscription key as Rodin gives them: the only shapes put in a request or a file name. */
export const RODIN_ID = /^[A-Za-z0-9-]{8,64}$/;

const submitted = z.object({ uuid: z.string().regex(RODIN_ID), jobs: z.object({ subscription_key: z.string().regex(RODIN_ID) }) });
const statusSchema = z.object({ jobs: z.array(z.object({ uuid: z.string().max(64).optional(), status: z.string().max(40) })).max(64) });
const resultsSchema = z.object({ list: z.array(z.object({ name: z.string().max(500), url: z.string().max(4096) })).max(200) });

export interface RodinTask {
  task_uuid: string;
  subscription_key: string;
}

/**
 * Hyper3D Rodin's API (https://hyperhuman.deemos.com/api, its main site: `Authorization: Bearer`
 * with each person's own key), as blender-mcp's client calls it: a job from a prompt or pictures,
 * its status, and where its result can be fetched.
 */
export class Rodin {
  constructor(
    private readonly baseUrl: () => string,
    private readonly keyOf: (userId: string) => Promise<string | null>,
  ) {}

  async status(userId: string): Promise<SourceStatus> {
    const key = await this.keyOf(userId);
    return key
      ? { enabled: true, message: 'Hyper3D Rodin is ready with your key: describe a model, or give pictures of it.' }
      : { enabled: false, message: `Hyper3D Rodin needs your own API key: add ${HYPER3D_KEY} in Keys.` };
  }

  /** A generation job from a prompt or pictures; `bbox` sets the ratio of length, width and height. */
  async generate(userId: string, what: { prompt?: string; images?: { name: string; bytes: Buffer }[]; bbox?: [number, number, number] }): Promise<RodinTask> {
    const form = new FormData();
    for (const [i, image] of (what.images ?? []).entries()) form.append('images', new Blob([new Uint8Array(image.bytes)]), `${String(i).padStart(4, '0')}${image.name}`);
    form.append('tier', 'Sketch');
    form.append('mesh_mode', 'Raw');
    if (what.prompt) form.append('prompt', what.prompt);
    if (what.bbox) form.append('bbox_condition', JSON.stringify(what.bbox));
    const answer = submitted.safeParse(await this.post('/v2/rodin', form, 'Rodin\'s new job', userId));
    if (!answer.success) throw new AppError('ASSET_REFUSED', 'Rodin did not accept the job, or answered in a shape it does not document');
    return { task_uuid: answer.data.uuid, subscription_key: answer.data.jobs.subscription_key };
  }

  /** The status of each job of a task ("Waiting", "Generating", "Done", "Failed"…). */
  async poll(userId: string, subscriptionKey: string): Promise<{ status_list: string[] }> {
    const answer = statusSchema.safeParse(await this.post('/v2/status', JSON.stringify({ subscription_key: checked(subscriptionKey) }), 'Rodin\'s job status', userId));
    if (!answer.success) throw new AppError('ASSET_REFUSED', 'Rodin\'s job status was not in the shape it documents: refused');
    return { status_list: answer.data.jobs.map((j) => j.status) };
  }

  /** Where the task's model (.glb) can be fetched, once its jobs are done. */
  async result(userId: string, taskUuid: string): Promise<string> {
    const answer = resultsSchema.safeParse(await this.post('/v2/download', JSON.stringify({ task_uuid: checked(taskUuid) }), 'Rodin\'s results', userId));
    const glb = answer.success ? answer.data.list.find((f) => f.name.toLowerCase().endsWith('.glb')) : undefined;
    if (!glb) throw new AppError('NOT_FOUND', 'Rodin has no model for this task yet: make sure all its jobs are Done (poll_rodin_job_status), then try again');
    if (!isFetchable(glb.url)) throw new AppError('ASSET_REFUSED', 'Rodin\'s model is at an address that is not https: refused');
    return glb.url;
  }

  /** A reference picture from an address (https), checked to be an image. */
  async picture(url: string): Promise<{ name: string; bytes: Buffer }> {
    if (!isFetchable(url)) throw new AppError('INVALID_INPUT', `${url.slice(0, 120)} is not an https address`);
    const { bytes, type } = await fetchPicture(url, `The picture at ${url.slice(0, 120)}`, PICTURE);
    return { name: `.${type.slice('image/'.length).replace('jpeg', 'jpg')}`, bytes };
  }

  private async post(path: string, body: FormData | string, what: string, userId: string): Promise<unknown> {
    const key = await this.keyOf(userId);
    if (!key) throw new AppError('INVALID_INPUT', `Hyper3D Rodin needs your own API key: add ${HYPER3D_KEY} in Keys`);
    const headers: Record<string, string> = { Authorization: `Bearer ${key}`, ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}) };
    return fetchJson(`${this.baseUrl().replace(/\/+$/, '')}${path}`, { ...ANSWER, what, headers, body });
  }
}

function checked(id: string): string {
  if (!RODIN_ID.test(id)) throw new AppError('INVALID_INPUT', `${JSON.stringify(id.slice(0, 80))} is not a Rodin task or subscription key`);
  return id;
}
