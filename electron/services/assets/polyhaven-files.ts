import { z } from 'zod';
import { POLYHAVEN_FORMATS, type CacheManifest, type PolyHavenType } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import { isFetchable } from './images';
import { safeRelativePath } from './safe-names';

/** One file as PolyHaven's /files/{id} lists it. */
const fileSchema = z.object({
  url: z.string().max(2048),
  md5: z.string().regex(/^[a-f0-9]{32}$/),
  size: z.number().int().nonnegative(),
});
const fileWithIncludesSchema = fileSchema.extend({ include: z.record(z.string(), fileSchema).optional() });

/** $key → $resolution → $format → file: the tree /files/{id} answers with (textures: one key per map). */
const filesTreeSchema = z.record(z.string(), z.unknown());
const byResolution = z.record(z.string(), z.record(z.string(), fileWithIncludesSchema));

/** Keys of a texture's tree that are not maps. */
const NOT_MAPS = new Set(['blend', 'gltf', 'fbx', 'usd', 'mtlx']);
const MAP_NAME = /^[A-Za-z0-9_]{1,64}$/;

export interface PlannedFile {
  /** Where it goes, relative to the asset's folder in the cache (checked). */
  path: string;
  url: string;
  size: number;
  md5: string;
}

export interface DownloadPlan {
  files: PlannedFile[];
  manifest: CacheManifest;
}

/**
 * Which files of an asset make it in Blender at `resolution` and `format`, where each goes, and
 * the cache manifest that names them: an HDRI is one file, a texture one file per map, a model
 * its main file with what it includes. Every name from the answer is checked before it is used.
 */
export function planDownload(id: string, type: PolyHavenType, resolution: string, format: string, answer: unknown): DownloadPlan {
  if (!POLYHAVEN_FORMATS[type].includes(format)) {
    throw new AppError('INVALID_INPUT', `A PolyHaven ${type.slice(0, -1)} is added from ${POLYHAVEN_FORMATS[type].join(', ')}, not ${format}`);
  }
  const tree = parsed(filesTreeSchema, answer, id);
  const manifest: CacheManifest = { version: 1, asset_id: id, asset_type: type, resolution, file_format: format, main: null, maps: {}, bytes: 0 };
  const files: PlannedFile[] = [];
  const missing = () => new AppError('NOT_FOUND', `PolyHaven has no ${format} of ${id} at ${resolution}`);
  if (type === 'textures') {
    for (const [map, raw] of Object.entries(tree)) {
      if (NOT_MAPS.has(map)) continue;
      const file = byResolution.safeParse(raw).data?.[resolution]?.[format];
      if (!file) continue;
      if (!MAP_NAME.test(map)) throw refused(id, `a map named ${JSON.stringify(map.slice(0, 80))}`);
      const name = `${map}.${format}`;
      manifest.maps[map] = name;
      files.push({ path: name, url: file.url, size: file.size, md5: file.md5 });
    }
    if (files.length === 0) throw missing();
  } else {
    const key = type === 'hdris' ? 'hdri' : format;
    const file = parsed(byResolution, tree[key] ?? {}, id)[resolution]?.[format];
    if (!file) throw missing();
    const main = `${id}.${format}`;
    manifest.main = main;
    files.push({ path: main, url: file.url, size: file.size, md5: file.md5 });
    for (const [included, inner] of Object.entries(file.include ?? {})) {
      const path = safeRelativePath(included);
      if (!path || path === main) throw refused(id, `an included file named ${JSON.stringify(included.slice(0, 120))}`);
      files.push({ path, url: inner.url, size: inner.size, md5: inner.md5 });
    }
  }
  for (const f of files) checkUrl(f.url, id);
  manifest.bytes = files.reduce((sum, f) => sum + f.size, 0);
  return { files, manifest };
}

function parsed<T extends z.ZodType>(schema: T, value: unknown, id: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('ASSET_REFUSED', `PolyHaven's file list for ${id} was not in the shape it documents: refused`);
  return result.data;
}

function checkUrl(url: string, id: string): void {
  if (!isFetchable(url)) throw refused(id, `a file at ${url.slice(0, 120)}, which is neither https nor this machine`);
}

function refused(id: string, what: string): AppError {
  return new AppError('ASSET_REFUSED', `PolyHaven's file list for ${id} has ${what}: refused, nothing was written`);
}
