import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { rawFirstAnswer } from '../bench/raw';
const run = promisify(execFile);
const n = 10;
const ids: string[] = [];
const t0 = Date.now();
const times = await Promise.all(Array.from({ length: n }, async () => {
  const secret = randomBytes(24).toString('base64url');
  const { stdout } = await run('docker', ['run', '-d', '-e', `BLENDER_LAB_SECRET=${secret}`, '-p', '127.0.0.1::9876', 'blender-lab/blender:latest']);
  const id = stdout.trim(); ids.push(id);
  const port = Number((await run('docker', ['port', id, '9876/tcp'])).stdout.trim().split(':').pop());
  await rawFirstAnswer(port, secret, t0);
  return (Date.now() - t0) / 1000;
}));
times.sort((a, b) => a - b);
console.log(times.map((t) => t.toFixed(1)).join(' '), 'mean', (times.reduce((a, b) => a + b) / n).toFixed(1));
await run('docker', ['rm', '-f', ...ids]);
