import type { Settings } from '../../../shared/settings';
import type { ContainerEngine } from '../engine/container-engine';
import { AssetCache } from './asset-cache';
import { PolyHaven } from './polyhaven';
import { PolyHavenDownloads, type AssetTarget } from './polyhaven-downloads';

/** The asset libraries of one panel on its engine, as the API uses them. */
export function assetServices(deps: { engine: ContainerEngine; instance: string; settings: () => Settings; blender: AssetTarget }) {
  const { engine, instance, settings, blender } = deps;
  const polyhaven = new PolyHaven(() => settings().polyhavenUrl);
  const cache = new AssetCache({ engine, instance, image: () => settings().image });
  const polyhavenDownloads = new PolyHavenDownloads({ polyhaven, cache, blender, limitBytes: () => settings().assetDownloadLimitMiB * 1024 * 1024 });
  return { polyhaven, polyhavenDownloads };
}
