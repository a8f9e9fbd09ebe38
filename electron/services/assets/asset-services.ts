import type { Settings } from '../../../shared/settings';
import type { ContainerEngine } from '../engine/container-engine';
import { AssetCache } from './asset-cache';
import { PolyHaven } from './polyhaven';
import { PolyHavenDownloads, type AssetTarget } from './polyhaven-downloads';
import { Sketchfab, SKETCHFAB_KEY } from './sketchfab';
import { SketchfabDownloads, type ModelTarget } from './sketchfab-downloads';

export interface AssetServiceDeps {
  engine: ContainerEngine;
  instance: string;
  settings: () => Settings;
  /** The person's Blender: running or not, and its add-on. */
  blender: AssetTarget & Pick<ModelTarget, 'command'>;
  /** The person's integration keys (the keychain's), by name. */
  keysOf: (userId: string) => Promise<Record<string, string>>;
  /** Removes a path of the person's home. */
  removeFromHome: (userId: string, relative: string) => Promise<void>;
}

/** The asset libraries of one panel on its engine, as the API uses them. */
export function assetServices(deps: AssetServiceDeps) {
  const { engine, instance, settings, blender } = deps;
  const limitBytes = () => settings().assetDownloadLimitMiB * 1024 * 1024;
  const polyhaven = new PolyHaven(() => settings().polyhavenUrl);
  const cache = new AssetCache({ engine, instance, image: () => settings().image });
  const polyhavenDownloads = new PolyHavenDownloads({ polyhaven, cache, blender, limitBytes });
  const sketchfab = new Sketchfab(() => settings().sketchfabUrl, async (userId) => (await deps.keysOf(userId))[SKETCHFAB_KEY] ?? null);
  const target: ModelTarget = { runningContainer: (userId) => blender.runningContainer(userId), command: (userId, command, params) => blender.command(userId, command, params), removeFromHome: deps.removeFromHome };
  const sketchfabDownloads = new SketchfabDownloads({ sketchfab, engine, target, limitBytes });
  return { polyhaven, polyhavenDownloads, sketchfab, sketchfabDownloads };
}
