import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { BuildProgress, ImageOps } from '../engine/container-engine';

export const CONTEXT_HASH_LABEL = 'org.blender-lab.context-hash';
export const DEFAULT_IMAGE = 'blender-lab/blender:latest';
export const DEFAULT_BASE_IMAGE = 'blender-lab/debian-base:bookworm';

/** Files of the build context, relative, sorted; caches and bytecode left out. */
export async function contextFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.pyc') && !e.parentPath.includes('__pycache__'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** A hash of everything that goes into the image, so an unchanged image is never rebuilt. */
export async function contextHash(dir: string, baseImage: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`base=${baseImage}\0`);
  for (const file of await contextFiles(dir)) {
    hash.update(`${file}\0`);
    hash.update(await readFile(path.join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface EnsureImageOptions {
  image: string;
  contextDir: string;
  baseImage: string;
  onProgress?: (p: BuildProgress) => void;
}

/** Builds the Blender image unless one built from the same context is already there. */
export async function ensureBlenderImage(images: ImageOps, opts: EnsureImageOptions): Promise<'up-to-date' | 'built'> {
  const hash = await contextHash(opts.contextDir, opts.baseImage);
  const current = await images.info(opts.image);
  if (current?.labels[CONTEXT_HASH_LABEL] === hash) return 'up-to-date';
  if (!(await images.info(opts.baseImage))) {
    throw new AppError(
      'IMAGE_MISSING',
      `The base image ${opts.baseImage} is missing, so the Blender image cannot be built. ` +
        `Run 'npm run image' (it bootstraps a Debian base), or tag a Debian bookworm image as ${opts.baseImage}.`,
    );
  }
  await images.build(opts.contextDir, await contextFiles(opts.contextDir), {
    tag: opts.image,
    buildArgs: { BASE_IMAGE: opts.baseImage },
    labels: { [CONTEXT_HASH_LABEL]: hash },
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return 'built';
}
