// npm run bench: timings measured side by side in one run on the real image, printed as JSON.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlenderClient } from '../electron/services/blender/blender-client';
import { DEFAULT_IMAGE } from '../electron/services/blender/blender-image';
import { IMAGE_FACTS } from '../electron/services/blender/image-contract';
import { Engine } from '../electron/services/engine/engine';
import { waitForBlender } from '../electron/services/blender/readiness';
import { RawPing, rawFirstAnswer } from './raw';
import { benchAssets } from './assets';
import { benchMcp } from './mcp';
import { benchRemote } from './remote';
import { benchSaving } from './saving';
import { benchSessions } from './sessions';
import { median, pct, round } from './stats';
import { testDocker } from '../test/support/docker';

const dockerApi = testDocker();

const image = process.env.BLENDER_LAB_IMAGE ?? DEFAULT_IMAGE;
const engine = Engine.connect(process.env.BLENDER_LAB_DOCKER_HOST);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const label = { 'org.blender-lab.bench': '1' };
const secret = () => randomBytes(24).toString('base64url');
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function ports(id: string) {
  const info = await engine.containers.inspect(id);
  return { addonPort: info!.ports[9876]!, uiPort: info!.ports[3000]! };
}

/** Through our code: Engine create/start + measured readiness (UI answers, add-on answers get_scene_info). */
async function oursCold(): Promise<{ ms: number; id: string; secret: string }> {
  const s = secret();
  const t0 = Date.now();
  const id = await engine.containers.create({
    name: `blender-lab-bench-${randomBytes(4).toString('hex')}`,
    image,
    env: { BLENDER_LAB_SECRET: s },
    labels: label,
    ports: [{ containerPort: 9876, hostPort: 0 }, { containerPort: 3000, hostPort: 0 }],
    volumes: [],
    limits: { memoryBytes: 2 * 1024 ** 3, nanoCpus: 1e9, pids: 512 },
    tmpfs: IMAGE_FACTS.runTmpfs,
  });
  await engine.containers.start(id);
  await waitForBlender({ ...(await ports(id)), secret: s }, { timeoutMs: 180_000 });
  return { ms: Date.now() - t0, id, secret: s };
}

async function oursWarm(id: string, s: string): Promise<number> {
  await engine.containers.stop(id);
  const t0 = Date.now();
  await engine.containers.start(id);
  await waitForBlender({ ...(await ports(id)), secret: s }, { timeoutMs: 180_000 });
  return Date.now() - t0;
}

/** The floor: the docker CLI and a raw socket poll. */
async function rawCold(): Promise<{ ms: number; id: string; secret: string }> {
  const s = secret();
  const t0 = Date.now();
  const id = docker('run', '-d', '--label', 'org.blender-lab.bench=1', '-e', `BLENDER_LAB_SECRET=${s}`, '-p', '127.0.0.1::9876', '-p', '127.0.0.1::3000', image);
  const port = Number(docker('port', id, '9876/tcp').split(':').pop());
  return { ms: await rawFirstAnswer(port, s, t0), id, secret: s };
}

async function rawWarm(id: string, s: string): Promise<number> {
  docker('stop', id);
  const t0 = Date.now();
  docker('start', id);
  const port = Number(docker('port', id, '9876/tcp').split(':').pop());
  return rawFirstAnswer(port, s, t0);
}

async function roundTrips(port: number, s: string, n: number) {
  const client = new BlenderClient({ port, secret: s });
  const raw = await RawPing.open(port, s);
  for (let i = 0; i < 50; i++) { await client.ping(); await raw.call({ type: 'ping', params: {} }); } // warm-up
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await client.ping();
    ours.push(performance.now() - t);
    t = performance.now();
    await raw.call({ type: 'ping', params: {} });
    floor.push(performance.now() - t);
  }
  client.close();
  raw.close();
  return {
    client: { p50: round(pct(ours, 50)), p99: round(pct(ours, 99)) },
    raw_socket: { p50: round(pct(floor, 50)), p99: round(pct(floor, 99)) },
  };
}

/**
 * A new connection made and authenticated: the panel's client (challenge and proof, so the secret
 * never crosses) beside a bare socket that sends the secret itself.
 */
async function connections(port: number, s: string, n: number) {
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    const client = new BlenderClient({ port, secret: s });
    await client.ping();
    ours.push(performance.now() - t);
    client.close();
    t = performance.now();
    const raw = await RawPing.open(port, s);
    await raw.call({ type: 'ping', params: {} });
    floor.push(performance.now() - t);
    raw.close();
  }
  return {
    challenge_and_proof: { p50: round(pct(ours, 50)), p99: round(pct(ours, 99)) },
    secret_sent: { p50: round(pct(floor, 50)), p99: round(pct(floor, 99)) },
  };
}

function rendererBundle() {
  const dir = path.resolve('out/renderer/assets');
  let raw = 0;
  let gzip = 0;
  try {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      raw += statSync(p).size;
      gzip += gzipSync(readFileSync(p)).length;
    }
  } catch {
    return null; // not built
  }
  return { bytes: raw, gzip_bytes: gzip };
}

async function main() {
  await engine.ping();
  for (const c of await engine.containers.list(label)) await engine.containers.remove(c.id);
  const cold = { ours: [] as number[], raw: [] as number[] };
  const warm = { ours: [] as number[], raw: [] as number[] };
  const ids: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      log(`cold ${i + 1}/${runs}`);
      const o = await oursCold();
      const r = await rawCold();
      ids.push(o.id, r.id);
      cold.ours.push(o.ms);
      cold.raw.push(r.ms);
      log(`warm ${i + 1}/${runs}`);
      warm.ours.push(await oursWarm(o.id, o.secret));
      warm.raw.push(await rawWarm(r.id, r.secret));
      if (i < runs - 1) {
        await engine.containers.remove(o.id);
        await engine.containers.remove(r.id);
      }
    }
    const last = ids.at(-2)!;
    log('round trips');
    const lastSecret = (await dockerApi.getContainer(last).inspect()).Config.Env.find((e) => e.startsWith('BLENDER_LAB_SECRET='))!.split('=')[1]!;
    const rt = await roundTrips((await ports(last)).addonPort, lastSecret, 1000);
    log('connections: connect, authenticate, ping');
    const connect = await connections((await ports(last)).addonPort, lastSecret, 200);
    const summary = (xs: number[]) => ({ median_ms: median(xs), runs_ms: xs });
    for (const id of ids) await engine.containers.remove(id);
    log('sign-ins through the session service');
    const signIns = await benchSessions(engine, image, runs, Number(process.env.BENCH_CONCURRENT ?? 10));
    log('saving scenes into the volume');
    const saving = await benchSaving(engine, image, label);
    log('AI clients: get_scene_info through the MCP endpoint');
    const mcp = await benchMcp(engine, image, 500);
    log('a PolyHaven HDRI: fetched into the cache, then from it');
    const assets = await benchAssets(engine, image, runs);
    log('an engine over SSH');
    const remote = await benchRemote(engine, image, 500);
    console.log(JSON.stringify({
      image,
      runs,
      warm_start_to_ready: { engine_and_readiness: summary(warm.ours), raw_floor: summary(warm.raw) },
      cold_create_to_ready: { engine_and_readiness: summary(cold.ours), raw_floor: summary(cold.raw) },
      sign_in_to_ready: {
        cold_first_sign_in: summary(signIns.cold),
        warm_after_sign_out: summary(signIns.warm),
        raw_floor_cold: summary(cold.raw),
        raw_floor_warm: summary(warm.raw),
      },
      // Each start until its first screen is drawn at the frame's size. Only the very first, before
      // the panel has fitted any screen, starts at the default size and is drawn again when fitted.
      cpu_seconds_to_first_screen: signIns.cpuToFirstScreen,
      concurrent_sign_ins: signIns.concurrent,
      ping_round_trip_ms: { calls: 1000, ...rt },
      connect_authenticate_ping_ms: { connections: 200, ...connect },
      save_scene_into_volume: saving,
      mcp_get_scene_info_ms: mcp,
      polyhaven_hdri_import: assets,
      engine_over_ssh: remote,
      renderer_bundle: rendererBundle(),
    }, null, 2));
  } finally {
    for (const c of await engine.containers.list(label)) await engine.containers.remove(c.id);
  }
}

await main();
