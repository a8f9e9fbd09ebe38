import type { Engine } from '../electron/services/engine/engine';
import { instanceLabels } from '../electron/services/blender/naming';

/** Removes everything a bench's panel instance made on the engine: containers, volumes, networks. */
export async function removeInstance(engine: Engine, instance: string): Promise<void> {
  const labels = instanceLabels(instance);
  for (const c of await engine.containers.list(labels)) await engine.containers.remove(c.id);
  for (const v of await engine.volumes.list(labels)) await engine.volumes.remove(v);
  for (const n of await engine.networks.list(labels)) await engine.networks.remove(n);
}
