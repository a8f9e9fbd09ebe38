import { z } from 'zod';

/** PolyHaven's kinds of asset, as its API names them. */
export const POLYHAVEN_TYPES = ['hdris', 'textures', 'models'] as const;
export type PolyHavenType = (typeof POLYHAVEN_TYPES)[number];

export const polyhavenTypeSchema = z.enum(POLYHAVEN_TYPES, { error: 'must be hdris, textures or models' });
export const polyhavenTypeOrAllSchema = z.enum([...POLYHAVEN_TYPES, 'all'], { error: 'must be hdris, textures, models or all' });

/** One asset as a search lists it: enough to show and choose it. */
export interface AssetSummary {
  id: string;
  name: string;
  type: PolyHavenType;
  categories: string[];
  authors: string[];
  /** Every PolyHaven asset is CC0. */
  license: string;
  downloadCount: number;
  /** An image of the asset (PolyHaven serves .webp), or null when the service gave none we accept. */
  thumbnailUrl: string | null;
}

export interface AssetSearch {
  /** How many assets matched. */
  total: number;
  /** The most downloaded of them, at most the number asked for. */
  assets: AssetSummary[];
}

export interface SourceStatus {
  enabled: boolean;
  message: string;
}

/** The file formats each kind of PolyHaven asset can be added to Blender from, the first the default. */
export const POLYHAVEN_FORMATS: Record<PolyHavenType, readonly string[]> = {
  hdris: ['hdr', 'exr'],
  textures: ['jpg', 'png', 'exr'],
  models: ['gltf', 'fbx', 'blend'],
};

/** A resolution as PolyHaven names them: 1k, 2k, 4k, … */
export const resolutionSchema = z.string().regex(/^[1-9]\d?k$/, 'must be a resolution like 1k, 2k or 4k');

/** What one download put in the shared cache, written last: an entry without it is incomplete. */
export const cacheManifestSchema = z.object({
  version: z.literal(1),
  asset_id: z.string(),
  asset_type: polyhavenTypeSchema,
  resolution: z.string(),
  file_format: z.string(),
  /** The file Blender opens: the HDRI, or the model's main file. */
  main: z.string().nullable(),
  /** A texture's maps: map name (Diffuse, nor_gl, Rough…) → file. */
  maps: z.record(z.string(), z.string()),
  bytes: z.number().int().nonnegative(),
});
export type CacheManifest = z.output<typeof cacheManifestSchema>;

/** An asset added to a person's scene: what Blender made of it, and whether it came from the lab's cache. */
export interface AssetAdded {
  message: string;
  cached: boolean;
  image_name?: string;
  material?: string;
  maps?: string[];
  imported_objects?: string[];
  /** The selected objects a texture was given to. */
  applied_to?: string[];
}

/** How far the download of an asset for a person's Blender has got. */
export interface AssetProgress {
  assetId: string;
  /** Bytes in so far, of `total`; both 0 for an asset already in the cache. */
  bytes: number;
  total: number;
  message: string;
}

/** One Sketchfab model as a search lists it. */
export interface SketchfabModel {
  uid: string;
  name: string;
  author: string;
  /** Each model has its own licence (CC Attribution, …): shown with it. */
  license: string;
  downloadable: boolean;
  thumbnailUrl: string | null;
}

export interface SketchfabSearch {
  total: number;
  models: SketchfabModel[];
}
