import { IMAGE, removeTestContainers, testEngine } from './blender';

/** Integration tests need a running engine and the built image; `npm test` prepares both. */
export default async function setup() {
  const engine = testEngine();
  await engine.ping();
  if (!(await engine.images.info(IMAGE))) {
    throw new Error(`The image ${IMAGE} is missing: run 'npm run image' first (npm test does).`);
  }
  await removeTestContainers(engine);
  return async () => removeTestContainers(engine);
}
