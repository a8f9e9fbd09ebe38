import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rawFirstAnswer } from '../bench/raw';
function procs(id: string) {
  const out: Record<string, number> = {};
  for (const pid of readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/tasks`, 'utf8').trim().split('\n')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[comm] = (out[comm] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch {}
  }
  return out;
}
const secret = randomBytes(24).toString('base64url');
const t0 = Date.now();
const id = execFileSync('docker', ['run', '-d', '-e', `BLENDER_LAB_SECRET=${secret}`, '-p', '127.0.0.1::9876', 'blender-lab/blender:latest'], { encoding: 'utf8' }).trim();
const port = Number(execFileSync('docker', ['port', id, '9876/tcp'], { encoding: 'utf8' }).trim().split(':').pop());
await rawFirstAnswer(port, secret, t0);
console.log('answer at', (Date.now() - t0) / 1000, procs(id));
for (let i = 0; i < 6; i++) { await new Promise((r) => setTimeout(r, 1000)); console.log((Date.now() - t0) / 1000, procs(id)); }
execFileSync('docker', ['rm', '-f', id]);
