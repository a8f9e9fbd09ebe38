// Builds the Blender image (npm run image): engine up, Debian base present, then docker/ built
// through the same code the panel uses, with step progress on stderr.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../electron/services/engine/engine';
import { DEFAULT_BASE_IMAGE, DEFAULT_IMAGE, ensureBlenderImage } from '../electron/services/blender/blender-image';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const image = process.env.BLENDER_LAB_IMAGE ?? DEFAULT_IMAGE;
const baseImage = process.env.BASE_IMAGE ?? DEFAULT_BASE_IMAGE;

execFileSync('bash', [path.join(root, 'scripts/engine-start.sh')], { stdio: 'inherit' });
execFileSync('bash', [path.join(root, 'scripts/base-image.sh')], { stdio: 'inherit', env: { ...process.env, BASE_IMAGE: baseImage } });

const started = Date.now();
const outcome = await ensureBlenderImage(Engine.connect(process.env.BLENDER_LAB_DOCKER_HOST).images, {
  image,
  baseImage,
  contextDir: path.join(root, 'docker'),
  onProgress: ({ step, totalSteps, message }) =>
    process.stderr.write(`[${Math.round((step / totalSteps) * 100)}%] step ${step}/${totalSteps}: ${message}\n`),
});
process.stderr.write(
  outcome === 'built' ? `Built ${image} in ${Math.round((Date.now() - started) / 1000)} s\n` : `Image ${image} is up to date\n`,
);
