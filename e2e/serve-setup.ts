import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../electron/services/engine/engine';
import { instanceFor, instanceLabels } from '../electron/services/blender/naming';
import { png, radianceHdr } from '../test/support/asset-files';
import { PolyHavenStandIn } from '../test/support/polyhaven-standin';

/** PolyHaven as the Assets view sees it: a stand-in speaking its API, with one HDRI and its picture. */
async function polyhavenStandIn(): Promise<PolyHavenStandIn> {
  const standIn = new PolyHavenStandIn({
    dusk_sky: { name: 'Dusk Sky', type: 0, categories: ['outdoor', 'skies'], authors: { 'Greg Zaal': 'All' }, download_count: 900 },
    studio_small: { name: 'Studio Small', type: 0, categories: ['indoor', 'studio'], authors: { 'Sergej Majboroda': 'All' }, download_count: 500 },
  });
  await standIn.listen();
  standIn.catalogue.dusk_sky!.thumbnail_url = standIn.serve('dusk_sky.png', png(64, 36, [70, 90, 160], [240, 150, 70]), 'image/png').url;
  standIn.catalogue.studio_small!.thumbnail_url = standIn.serve('studio_small.png', png(64, 36, [225, 225, 232], [120, 120, 130]), 'image/png').url;
  standIn.fileTrees.set('dusk_sky', { hdri: { '1k': { hdr: standIn.serve('dusk_sky_1k.hdr', radianceHdr(64, 32)) } } });
  return standIn;
}

/** Starts the headless panel on a fresh data directory and hands its address to the tests. */
export default async function setup() {
  const dataDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'blender-lab-e2e-')));
  const polyhaven = await polyhavenStandIn();
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ polyhavenUrl: polyhaven.url }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/serve.ts', '--port', '0', '--mcp-port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the panel printed no address in 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Panel ready at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the panel exited with ${code}:\n${out}`)));
  });
  process.env.PANEL_URL = url;
  process.env.PANEL_DATA_DIR = dataDir;

  return async () => {
    child.kill('SIGTERM');
    await polyhaven.close();
    const engine = Engine.connect(process.env.BLENDER_LAB_DOCKER_HOST);
    const labels = instanceLabels(instanceFor(dataDir));
    for (const c of await engine.containers.list(labels)) await engine.containers.remove(c.id);
    for (const v of await engine.volumes.list(labels)) await engine.volumes.remove(v);
    for (const n of await engine.networks.list(labels)) await engine.networks.remove(n);
  };
}
