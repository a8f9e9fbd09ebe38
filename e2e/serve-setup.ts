import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../electron/services/engine/engine';
import { instanceFor, instanceLabels } from '../electron/services/blender/naming';

/** Starts the headless panel on a fresh data directory and hands its address to the tests. */
export default async function setup() {
  const dataDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'blender-lab-e2e-')));
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
    const engine = Engine.connect(process.env.BLENDER_LAB_DOCKER_HOST);
    const labels = instanceLabels(instanceFor(dataDir));
    for (const c of await engine.containers.list(labels)) await engine.containers.remove(c.id);
    for (const v of await engine.volumes.list(labels)) await engine.volumes.remove(v);
    for (const n of await engine.networks.list(labels)) await engine.networks.remove(n);
  };
}
