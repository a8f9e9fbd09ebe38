import { z } from 'zod';
import type { SourceStatus } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import { fetchJson } from './fetch-capped';
import { isFetchable } from './images';
import { tc3Headers, type TencentCall } from './tencent-signature';

const ANSWER = { timeoutMs: 60_000, maxBytes: 4 * 1024 * 1024 };
export const HUNYUAN_KEYS = { id: 'HUNYUAN3D_SECRET_ID', key: 'HUNYUAN3D_SECRET_KEY' } as const;
const CALL = { service: 'hunyuan', version: '2023-09-01', region: 'ap-guangzhou' };
/** A job id as Tencent gives them (blender-mcp writes it job_…): the only shape put in a request. */
export const HUNYUAN_JOB = /^(job_)?[A-Za-z0-9-]{6,80}$/;
/** Result addresses remembered per person: only an address a poll of theirs returned is ever fetched for them. */
const REMEMBERED_RESULTS = 50;

const envelope = <T extends z.ZodType>(inner: T) => z.object({ Response: inner });
const failure = z.object({ Response: z.object({ Error: z.object({ Code: z.string().max(200), Message: z.string().max(2000) }) }) });
const submitted = envelope(z.object({ JobId: z.string().regex(/^[A-Za-z0-9-]{6,80}$/) }));
const queried = envelope(
  z.object({
    Status: z.string().max(20),
    ErrorCode: z.string().max(200).optional(),
    ErrorMessage: z.string().max(2000).optional(),
    ResultFile3Ds: z.array(z.object({ Type: z.string().max(20), Url: z.string().max(4096), PreviewImageUrl: z.string().max(4096).optional() })).max(20).optional(),
  }),
);

export interface Credentials {
  secretId: string;
  secretKey: string;
}

/**
 * Tencent Hunyuan3D through Tencent Cloud's API (https://hunyuan.tencentcloudapi.com), each call
 * signed (TC3-HMAC-SHA256) with the person's own SecretId and SecretKey, as blender-mcp's client
 * calls SubmitHunyuanTo3DJob and QueryHunyuanTo3DJob.
 */
export class Hunyuan {
  private readonly results = new Map<string, string[]>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly credentialsOf: (userId: string) => Promise<Credentials | null>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async status(userId: string): Promise<SourceStatus> {
    return (await this.credentialsOf(userId))
      ? { enabled: true, message: 'Hunyuan3D is ready with your Tencent Cloud keys: describe a model, or give a picture of it.' }
      : { enabled: false, message: `Hunyuan3D needs your own Tencent Cloud keys: add ${HUNYUAN_KEYS.id} and ${HUNYUAN_KEYS.key} in Keys.` };
  }

  /** A job from a description (at most 200 characters) or one picture (its bytes, or an https address). */
  async submit(userId: string, what: { prompt?: string; imageBase64?: string; imageUrl?: string }): Promise<{ job_id: string }> {
    const given = [what.prompt, what.imageBase64, what.imageUrl].filter(Boolean).length;
    if (given !== 1) throw new AppError('INVALID_INPUT', 'Give Hunyuan3D a description or one picture, not both and not none');
    if (what.prompt && what.prompt.length > 200) throw new AppError('INVALID_INPUT', 'A Hunyuan3D description may be at most 200 characters');
    if (what.imageUrl && !isFetchable(what.imageUrl)) throw new AppError('INVALID_INPUT', `${what.imageUrl.slice(0, 120)} is not an https address`);
    const body = { Num: 1, ...(what.prompt ? { Prompt: what.prompt } : {}), ...(what.imageBase64 ? { ImageBase64: what.imageBase64 } : {}), ...(what.imageUrl ? { ImageUrl: what.imageUrl } : {}) };
    const answer = submitted.safeParse(await this.post(userId, 'SubmitHunyuanTo3DJob', body, 'Hunyuan3D\'s new job'));
    if (!answer.success) throw new AppError('ASSET_REFUSED', 'Hunyuan3D\'s answer to a new job was not in the shape Tencent documents: refused');
    return { job_id: `job_${answer.data.Response.JobId}` };
  }

  /** The job's status (WAIT, RUN, FAIL, DONE) and, once DONE, the addresses of its results (a zip of an OBJ). */
  async query(userId: string, jobId: string): Promise<{ status: string; error?: string; ResultFile3Ds: { Type: string; Url: string }[] }> {
    if (!HUNYUAN_JOB.test(jobId)) throw new AppError('INVALID_INPUT', `${JSON.stringify(jobId.slice(0, 80))} is not a Hunyuan3D job`);
    const answer = queried.safeParse(await this.post(userId, 'QueryHunyuanTo3DJob', { JobId: jobId.replace(/^job_/, '') }, 'Hunyuan3D\'s job status'));
    if (!answer.success) throw new AppError('ASSET_REFUSED', 'Hunyuan3D\'s job status was not in the shape Tencent documents: refused');
    const job = answer.data.Response;
    const files = (job.ResultFile3Ds ?? []).filter((f) => isFetchable(f.Url)).map((f) => ({ Type: f.Type, Url: f.Url }));
    const known = this.results.get(userId) ?? [];
    this.results.set(userId, [...files.map((f) => f.Url), ...known.filter((u) => !files.some((f) => f.Url === u))].slice(0, REMEMBERED_RESULTS));
    return { status: job.Status, ...(job.ErrorMessage ? { error: job.ErrorMessage } : {}), ResultFile3Ds: files };
  }

  /** Refuses an address no poll of this person's returned: the panel fetches nothing else for them. */
  checkResult(userId: string, url: string): void {
    if (!(this.results.get(userId) ?? []).includes(url)) throw new AppError('INVALID_INPUT', 'That address is not a result of one of your Hunyuan3D jobs: poll the job (poll_hunyuan_job_status) and use the address it gives');
  }

  private async post(userId: string, action: string, payload: object, what: string): Promise<unknown> {
    const credentials = await this.credentialsOf(userId);
    if (!credentials) throw new AppError('INVALID_INPUT', `Hunyuan3D needs your own Tencent Cloud keys: add ${HUNYUAN_KEYS.id} and ${HUNYUAN_KEYS.key} in Keys`);
    const url = new URL(this.baseUrl());
    const body = JSON.stringify(payload);
    const call: TencentCall = { ...CALL, action };
    const headers = tc3Headers(call, url.host, body, credentials.secretId, credentials.secretKey, this.clock());
    const answer = await fetchJson(url.toString(), { ...ANSWER, what, headers, body });
    const refused = failure.safeParse(answer);
    if (refused.success) throw new AppError('ASSET_SOURCE_UNREACHABLE', `${what}: Tencent Cloud refused (${refused.data.Response.Error.Code}: ${refused.data.Response.Error.Message})`);
    return answer;
  }
}
