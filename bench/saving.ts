import { randomBytes } from 'node:crypto';
import { BlenderClient } from '../electron/services/blender/blender-client';
import type { Engine } from '../electron/services/engine/engine';
import { IMAGE_FACTS } from '../electron/services/blender/image-contract';
import { waitForBlender } from '../electron/services/blender/readiness';

/**
 * Saving a scene into the person's volume (a new version, written beside its name, checked,
 * fsynced and moved into place) beside the floor: copying the same bytes into the same volume
 * and syncing them, inside the same container.
 */
export async function benchSaving(engine: Engine, image: string, labels: Record<string, string>) {
  const secret = randomBytes(24).toString('base64url');
  const volume = `blender-lab-bench-save-${randomBytes(4).toString('hex')}`;
  await engine.volumes.ensure(volume, labels);
  const id = await engine.containers.create({
    name: volume,
    image,
    env: { BLENDER_LAB_SECRET: secret, BLENDER_LAB_AUTOSAVE_SECONDS: '0' },
    labels,
    ports: [{ containerPort: 9876, hostPort: 0 }, { containerPort: 3000, hostPort: 0 }],
    volumes: [{ name: volume, target: '/home/blender' }],
    limits: { memoryBytes: 4 * 1024 ** 3, nanoCpus: 2e9, pids: 512 },
    tmpfs: IMAGE_FACTS.runTmpfs,
  });
  const client = (port: number) => new BlenderClient({ port, secret });
  try {
    await engine.containers.start(id);
    const info = await engine.containers.inspect(id);
    const ports = { addonPort: info!.ports[9876]!, uiPort: info!.ports[3000]! };
    await waitForBlender({ ...ports, secret }, { timeoutMs: 180_000 });
    const blender = client(ports.addonPort);
    const results = [];
    for (const subdivisions of [150, 400, 800]) {
      await blender.request('execute_code', {
        code: `import bpy\nfor o in list(bpy.data.objects): bpy.data.objects.remove(o)\nbpy.ops.mesh.primitive_grid_add(x_subdivisions=${subdivisions}, y_subdivisions=${subdivisions})`,
      });
      const t0 = performance.now();
      const saved = await blender.request('save_session', {}, { timeoutMs: 300_000 });
      const saveMs = performance.now() - t0;
      const t1 = performance.now();
      const copy = await engine.containers.exec(id, ['sh', '-c', `cat '${saved.path}' > /home/blender/floor.blend && sync /home/blender/floor.blend && echo ok`]);
      const copyMs = performance.now() - t1;
      if (copy.stdout.trim() !== 'ok') throw new Error('the floor copy failed');
      results.push({ scene_bytes: saved.bytes, save_ms: Math.round(saveMs), copy_and_sync_floor_ms: Math.round(copyMs) });
    }
    blender.close();
    return results;
  } finally {
    await engine.containers.remove(id);
    await engine.volumes.remove(volume);
  }
}
