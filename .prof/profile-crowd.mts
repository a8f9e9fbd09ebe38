import { randomBytes } from 'node:crypto';
import { AccountService, type AccountsFile } from '../electron/services/accounts';
import { MemoryStore } from '../electron/services/document-store';
import { Engine } from '../electron/services/engine';
import { instanceLabels } from '../electron/services/naming';
import { PortAllocator } from '../electron/services/ports';
import { SessionManager } from '../electron/services/sessions';
import { DEFAULT_SETTINGS } from '../shared/settings';

const engine = Engine.connect();
const instance = `prof-${randomBytes(4).toString('hex')}`;
const settings = { ...DEFAULT_SETTINGS, image: 'blender-lab/blender:latest', addonPortBase: 31000, uiPortBase: 33000, portRangeSize: 50, maxConcurrentStarts: Number(process.env.LIMIT ?? 0) };
const accounts = new AccountService({ store: new MemoryStore<AccountsFile>({ version: 1, users: [] }), signUpAllowed: () => true, cost: { N: 1024, r: 8, p: 1 } });
const sessions = new SessionManager({ engine, settings: () => settings, ports: new PortAllocator(() => settings), credentials: null, instance, imageSource: null, log: () => {} });
await sessions.init();
const n = Number(process.env.N ?? 10);
const crowd = await Promise.all(Array.from({ length: n }, (_, i) => accounts.createAccount({ username: `crowd-${i}`, password: 'bench password' })));
const t0 = Date.now();
const lines: string[] = [];
import { readFileSync, readdirSync } from 'node:fs';
const state = new Map<string, string>();
sessions.changed.on((v) => state.set(v.containerName, v.state));
const ids = new Map<string, string>();
let lastTotal = new Map<string, number>();
let lastSys = 0; let lastT = Date.now();
const sysUsage = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number); return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]!, all: f.slice(0, 8).reduce((a, b) => a + b) }; };
let lastCpu = sysUsage();
const sampler = setInterval(async () => {
  const rows = await engine.listContainers(instanceLabels(instance));
  const now = Date.now();
  const by: Record<string, number> = {};
  for (const r of rows) {
    try {
      const u = Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${r.id}/cpuacct.usage`, 'utf8')) / 1e9;
      const prev = lastTotal.get(r.id) ?? u;
      lastTotal.set(r.id, u);
      const st = state.get(r.name) ?? '?';
      by[st] = (by[st] ?? 0) + (u - prev);
    } catch {}
  }
  const cpu = sysUsage();
  const util = (cpu.busy - lastCpu.busy) / (cpu.all - lastCpu.all);
  lastCpu = cpu;
  const dt = (now - lastT) / 1000; lastT = now;
  lines.push(`t=${((now - t0) / 1000).toFixed(1)} util=${(util * 100).toFixed(0)}% ` + Object.entries(by).map(([k, v]) => `${k}:${(v / dt).toFixed(2)}`).join(' '));
}, 500);
const each = await Promise.all(crowd.map(async (u, i) => {
  const marks: string[] = [];
  await sessions.start(u, (p) => marks.push(`${p.step}@${((Date.now() - t0) / 1000).toFixed(1)}`));
  const done = (Date.now() - t0) / 1000;
  lines.push(`${i}: ${marks.filter((m, j, a) => j === 0 || m.split('@')[0] !== a[j - 1]!.split('@')[0]).join(' ')} done@${done.toFixed(1)}`);
  return done;
}));
clearInterval(sampler);
console.log(lines.join('\n'));
console.log('mean', (each.reduce((a, b) => a + b) / n).toFixed(1), 'last', Math.max(...each).toFixed(1));
await sessions.stopAll('quit');
await sessions.dispose();
const labels = instanceLabels(instance);
for (const c of await engine.listContainers(labels)) await engine.removeContainer(c.id);
for (const v of await engine.listVolumes(labels)) await engine.removeVolume(v);
for (const nn of await engine.listNetworks(labels)) await engine.removeNetwork(nn);
