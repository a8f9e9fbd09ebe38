import { Readable } from 'node:stream';
import { cacheManifestSchema, type CacheManifest } from '../../../shared/assets';
import { assetCacheHolderFor, assetCacheVolumeFor, instanceLabels } from '../blender/naming';
import type { ContainerEngine } from '../engine/container-engine';

/** Where the holder container has the cache volume (read-write); people's Blenders have it read-only elsewhere. */
const IN_HOLDER = '/cache';
const MANIFEST = 'manifest.json';
const MAX_MANIFEST_BYTES = 64 * 1024;
/** Files in the cache: anyone's Blender may read them (the mount itself is read-only). */
const OWNER = { uid: 0, gid: 0 };

/**
 * The shared cache of public assets on the engine: a volume that people's Blenders mount
 * read-only, written only by the panel, through a container that is never started (Docker's
 * archive API writes into a stopped container's volumes on any engine, local or remote).
 */
export class AssetCache {
  private holder: Promise<string> | null = null;

  constructor(private readonly deps: { engine: ContainerEngine; instance: string; image: () => string }) {}

  /**
   * The complete entry at `dir` (relative to the cache), or null when there is none or it was
   * left unfinished. Looks for the holder afresh: the panel may have moved to another engine.
   */
  async entry(dir: string): Promise<CacheManifest | null> {
    this.holder = null;
    const data = await this.deps.engine.files.read(await this.holderId(), `${IN_HOLDER}/${dir}/${MANIFEST}`, MAX_MANIFEST_BYTES);
    if (!data) return null;
    try {
      return cacheManifestSchema.parse(JSON.parse(data.toString('utf8')));
    } catch {
      return null; // damaged: written again
    }
  }

  /** Streams one file of exactly `size` bytes to `dir/path`; a failed stream leaves the entry unfinished. */
  async put(dir: string, path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    await this.deps.engine.files.putStream(await this.holderId(), IN_HOLDER, `${dir}/${path}`, size, body, OWNER);
  }

  /** Marks the entry complete: its manifest, written after every file is in. */
  async seal(dir: string, manifest: CacheManifest): Promise<void> {
    const data = Buffer.from(JSON.stringify(manifest));
    await this.put(dir, MANIFEST, data.length, Readable.from([data]));
  }

  /** The holder container, made once (it keeps no process and reaches no network). */
  private holderId(): Promise<string> {
    this.holder ??= this.makeHolder().catch((error) => {
      this.holder = null;
      throw error;
    });
    return this.holder;
  }

  private async makeHolder(): Promise<string> {
    const { engine, instance } = this.deps;
    const name = assetCacheHolderFor(instance);
    const existing = await engine.containers.inspect(name);
    if (existing) return existing.id;
    const labels = instanceLabels(instance);
    const volume = assetCacheVolumeFor(instance);
    await engine.volumes.ensure(volume, labels);
    return engine.containers.create({
      name,
      image: this.deps.image(),
      env: {},
      labels,
      ports: [],
      volumes: [{ name: volume, target: IN_HOLDER }],
      limits: { memoryBytes: 64 * 1024 * 1024, nanoCpus: 1e8, pids: 16 },
      network: 'none',
    });
  }
}
