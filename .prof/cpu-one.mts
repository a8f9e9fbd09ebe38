import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rawFirstAnswer } from '../bench/raw';
const usage = (id: string) => Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 'utf8')) / 1e9;
for (let i = 0; i < 3; i++) {
  const secret = randomBytes(24).toString('base64url');
  const t0 = Date.now();
  const id = execFileSync('docker', ['run', '-d', ...(process.env.EXTRA ? ['-e', process.env.EXTRA] : []), ...(process.env.MOUNT ? ['-v', process.env.MOUNT] : []), '-e', `BLENDER_LAB_SECRET=${secret}`, '-p', '127.0.0.1::9876', 'blender-lab/blender:latest'], { encoding: 'utf8' }).trim();
  const port = Number(execFileSync('docker', ['port', id, '9876/tcp'], { encoding: 'utf8' }).trim().split(':').pop());
  await rawFirstAnswer(port, secret, t0);
  const at = (Date.now() - t0) / 1000;
  const cpuAtAnswer = usage(id);
  await new Promise((r) => setTimeout(r, 4000));
  const cpuLater = usage(id);
  await new Promise((r) => setTimeout(r, 4000));
  console.log({ answerAt: at, cpuAtAnswer: cpuAtAnswer.toFixed(2), cpu4sLater: cpuLater.toFixed(2), cpu8sLater: usage(id).toFixed(2) });
  execFileSync('docker', ['rm', '-f', id]);
}
