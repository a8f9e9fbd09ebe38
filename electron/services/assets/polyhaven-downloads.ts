import { createHash } from 'node:crypto';
import type { PolyHavenType } from '../../../shared/assets';
import type { BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import type { AssetCache } from './asset-cache';
import type { BlenderTarget } from './blender-target';
import { DOWNLOAD_STALL_MS, fetchFile, mib, type DownloadProgress } from './fetch-capped';
import { POLYHAVEN_ID, type PolyHaven } from './polyhaven';
import { planDownload, type DownloadPlan } from './polyhaven-files';

export interface PolyHavenRequest {
  asset_id: string;
  asset_type: PolyHavenType;
  resolution: string;
  file_format: string;
}

/**
 * PolyHaven assets into people's Blenders: fetched once per engine into the shared cache (checked
 * names, declared sizes and MD5s, a cap on the whole), then added to the scene by the person's
 * add-on from there. A download that fails leaves the cache entry unfinished and the scene as it was.
 */
export class PolyHavenDownloads {
  /** Entries being filled now: a second person asking for the same one waits for the first download. */
  private readonly filling = new Map<string, Promise<void>>();

  constructor(private readonly deps: { polyhaven: PolyHaven; cache: AssetCache; blender: BlenderTarget; limitBytes: () => number }) {}

  async add(
    userId: string,
    request: PolyHavenRequest,
    options: { applyToSelected?: boolean } = {},
    progress: (p: DownloadProgress) => void = () => {},
  ): Promise<BlenderResult<'download_polyhaven_asset'> & { cached: boolean }> {
    if (!POLYHAVEN_ID.test(request.asset_id)) throw new AppError('INVALID_INPUT', `${JSON.stringify(request.asset_id.slice(0, 80))} is not a PolyHaven asset id`);
    this.deps.blender.runningContainer(userId); // before anything is fetched: there must be a Blender to add it to
    const plan = planDownload(request.asset_id, request.asset_type, request.resolution, request.file_format, await this.deps.polyhaven.files(request.asset_id));
    const limit = this.deps.limitBytes();
    if (plan.manifest.bytes > limit) {
      throw new AppError('ASSET_REFUSED', `${request.asset_id} at ${request.resolution} is ${mib(plan.manifest.bytes)}, more than the ${mib(limit)} one download may bring in (assetDownloadLimitMiB)`);
    }
    const dir = entryDir(request, plan);
    const cached = (await this.deps.cache.entry(dir)) !== null;
    if (cached) progress({ bytes: 0, total: 0, message: `${request.asset_id} is in the lab's cache already` });
    else await this.fill(dir, plan, progress);
    const apply = options.applyToSelected && request.asset_type === 'textures' ? { apply_to_selected: true } : {};
    return { ...(await this.deps.blender.command(userId, 'download_polyhaven_asset', { ...request, cache_entry: dir, ...apply })), cached };
  }

  private fill(dir: string, plan: DownloadPlan, progress: (p: DownloadProgress) => void): Promise<void> {
    let filling = this.filling.get(dir);
    if (!filling) {
      filling = this.download(dir, plan, progress).finally(() => this.filling.delete(dir));
      this.filling.set(dir, filling);
    }
    return filling;
  }

  private async download(dir: string, plan: DownloadPlan, progress: (p: DownloadProgress) => void): Promise<void> {
    const total = plan.manifest.bytes;
    let bytes = 0;
    let told = 0;
    // Told every 2 % or so, not every chunk: progress crosses to a window or an AI client.
    const tell = (message: string, force = false) => {
      if (!force && bytes - told < total / 50) return;
      told = bytes;
      progress({ bytes, total, message });
    };
    for (const file of plan.files) {
      const what = `${plan.manifest.asset_id}'s ${file.path}`;
      tell(`Fetching ${file.path} (${mib(file.size)})`, true);
      const counted = async function* (body: AsyncIterable<Uint8Array>) {
        for await (const chunk of body) {
          bytes += chunk.byteLength;
          tell(`Fetching ${file.path}`);
          yield chunk;
        }
      };
      await this.deps.cache.put(dir, file.path, file.size, counted(fetchFile(file.url, { size: file.size, md5: file.md5, stallMs: DOWNLOAD_STALL_MS, what })));
    }
    await this.deps.cache.seal(dir, plan.manifest);
  }
}

/** Where an asset goes in the cache: by what it is and by its files' checksums, so a changed asset is a new entry. */
function entryDir(request: PolyHavenRequest, plan: DownloadPlan): string {
  const sums = createHash('sha256').update(plan.files.map((f) => `${f.path}:${f.md5}`).sort().join('\n')).digest('hex').slice(0, 16);
  return `polyhaven/${request.asset_type}/${request.asset_id}/${request.resolution}-${request.file_format}-${sums}`;
}
