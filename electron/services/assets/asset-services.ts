import type { Settings } from '../../../shared/settings';
import type { ContainerEngine } from '../engine/container-engine';
import { AssetCache } from './asset-cache';
import { PolyHaven } from './polyhaven';
import type { BlenderTarget, HomeTarget } from './blender-target';
import { HUNYUAN_KEYS, Hunyuan } from './hunyuan';
import { HunyuanJobs } from './hunyuan-jobs';
import { PolyHavenDownloads } from './polyhaven-downloads';
import { HYPER3D_KEY, Rodin } from './rodin';
import { RodinJobs } from './rodin-jobs';
import { Sketchfab, SKETCHFAB_KEY } from './sketchfab';
import { SketchfabDownloads } from './sketchfab-downloads';

export interface AssetServiceDeps {
  engine: ContainerEngine;
  instance: string;
  settings: () => Settings;
  /** The person's Blender: running or not, and its add-on. */
  blender: BlenderTarget;
  /** The person's home. */
  home: HomeTarget;
  /** The person's integration keys (the keychain's), by name. */
  keysOf: (userId: string) => Promise<Record<string, string>>;
}

/** The asset libraries of one panel on its engine, as the API uses them. */
export function assetServices(deps: AssetServiceDeps) {
  const { engine, instance, settings, blender } = deps;
  const limitBytes = () => settings().assetDownloadLimitMiB * 1024 * 1024;
  const polyhaven = new PolyHaven(() => settings().polyhavenUrl);
  const cache = new AssetCache({ engine, instance, image: () => settings().image });
  const polyhavenDownloads = new PolyHavenDownloads({ polyhaven, cache, blender, limitBytes });
  const sketchfab = new Sketchfab(() => settings().sketchfabUrl, async (userId) => (await deps.keysOf(userId))[SKETCHFAB_KEY] ?? null);
  const { home } = deps;
  const sketchfabDownloads = new SketchfabDownloads({ sketchfab, engine, blender, home, limitBytes });
  const rodin = new Rodin(() => settings().hyper3dUrl, async (userId) => (await deps.keysOf(userId))[HYPER3D_KEY] ?? null);
  const rodinJobs = new RodinJobs({ rodin, engine, blender, home, limitBytes });
  const hunyuan = new Hunyuan(() => settings().hunyuan3dUrl, async (userId) => {
    const keys = await deps.keysOf(userId);
    const [secretId, secretKey] = [keys[HUNYUAN_KEYS.id], keys[HUNYUAN_KEYS.key]];
    return secretId && secretKey ? { secretId, secretKey } : null;
  });
  const hunyuanJobs = new HunyuanJobs({ hunyuan, engine, blender, home, limitBytes });
  return { polyhaven, polyhavenDownloads, sketchfab, sketchfabDownloads, rodin, rodinJobs, hunyuan, hunyuanJobs };
}
