import type { Engine } from '../electron/services/engine/engine';
import { instanceLabels } from '../electron/services/blender/naming';

/** Removes everything a bench's panel instance made on the engine: containers, volumes, networks. */
export async function removeInstance(engine: Engine, instance: string): Promise<void> {
  const labels = instanceLabels(instance);
  for (const c of await engine.listContainers(labels)) await engine.removeContainer(c.id);
  for (const v of await engine.listVolumes(labels)) await engine.removeVolume(v);
  for (const n of await engine.listNetworks(labels)) await engine.removeNetwork(n);
}
