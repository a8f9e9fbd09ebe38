import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { AccountService } from '../electron/services/accounts/accounts';
import type { AccountsFile } from '../electron/services/accounts/accounts-file';
import { MemoryStore } from '../electron/services/storage/document-store';
import type { Engine } from '../electron/services/engine/engine';
import { instanceLabels } from '../electron/services/blender/naming';
import { PortAllocator } from '../electron/services/sessions/ports';
import { SessionManager } from '../electron/services/sessions/sessions';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { rawFirstAnswer } from './raw';
import { removeInstance } from './cleanup';
import { median } from './stats';
import { testDocker } from '../test/support/docker';

const docker = testDocker();

const run = promisify(execFile);

/** The frame that shows Blender in the panel's window at its default size, 1400×900. */
const PANEL_FRAME = { width: 1040, height: 816 };

/** CPU time the container has used since it started. */
async function cpuSeconds(engine: Engine, id: string): Promise<number> {
  const raw = (await docker.getContainer(id).stats({ stream: false })) as unknown as { cpu_stats: { cpu_usage: { total_usage: number } } };
  return raw.cpu_stats.cpu_usage.total_usage / 1e9;
}

const spread = (ms: number[]) => ({ first_ms: Math.min(...ms), mean_ms: Math.round(ms.reduce((a, b) => a + b, 0) / ms.length), last_ms: Math.max(...ms) });

/**
 * The floor for a crowd: `n` bare `docker run`s started together, each timed to its first add-on
 * answer, drawing their first screens at the size the crowd's do (`screen`, or the default).
 */
async function bareRunsAtOnce(image: string, n: number, screen: string | null): Promise<number[]> {
  const ids: string[] = [];
  try {
    const t0 = Date.now();
    return await Promise.all(
      Array.from({ length: n }, async () => {
        const secret = randomBytes(24).toString('base64url');
        const { stdout } = await run('docker', ['run', '-d', '--label', 'org.blender-lab.bench=1', '-e', `BLENDER_LAB_SECRET=${secret}`, ...(screen ? ['-e', `BLENDER_LAB_SCREEN=${screen}`] : []), '-p', '127.0.0.1::9876', image]);
        const id = stdout.trim();
        ids.push(id);
        const port = Number((await run('docker', ['port', id, '9876/tcp'])).stdout.trim().split(':').pop());
        await rawFirstAnswer(port, secret, t0);
        return Date.now() - t0;
      }),
    );
  } finally {
    if (ids.length) await run('docker', ['rm', '-f', '-v', ...ids]).catch(() => {});
  }
}

/** Sign-in → ready through the session service: cold (first ever), warm (after sign-out), and N at once. */
export async function benchSessions(engine: Engine, image: string, runs: number, concurrent: number) {
  const instance = `bench-${randomBytes(4).toString('hex')}`;
  const settings = { ...DEFAULT_SETTINGS, image, addonPortBase: 31000, uiPortBase: 33000, portRangeSize: 50, maxConcurrentStarts: Number(process.env.BENCH_START_LIMIT ?? 0), cpus: Number(process.env.BENCH_CPUS ?? DEFAULT_SETTINGS.cpus) };
  const accounts = new AccountService({
    store: new MemoryStore<AccountsFile>({ version: 1, users: [] }),
    signUpAllowed: () => true,
    cost: { N: 1024, r: 8, p: 1 },
  });
  const sessions = new SessionManager({
    engine,
    settings: () => settings,
    ports: new PortAllocator(() => settings),
    credentials: null,
    instance,
    imageSource: null,
    log: () => {},
  });
  await sessions.init();
  const cold: number[] = [];
  const warm: number[] = [];
  const cpu = { cold: [] as number[], warm: [] as number[] };
  // As the panel does once it shows Blender: the screen fitted to the frame, then drawn there.
  const fittedAndDrawn = async (userId: string) => {
    await sessions.fitScreen(userId, PANEL_FRAME.width, PANEL_FRAME.height);
    await new Promise((r) => setTimeout(r, 4_000));
    return Math.round((await cpuSeconds(engine, sessions.runningContainer(userId))) * 100) / 100;
  };
  try {
    for (let i = 0; i < runs; i++) {
      const user = await accounts.createAccount({ username: `bench-${i}`, password: 'bench password' });
      let t = Date.now();
      await sessions.start(user);
      cold.push(Date.now() - t);
      cpu.cold.push(await fittedAndDrawn(user.id));
      await sessions.stop(user.id, 'sign-out');
      t = Date.now();
      await sessions.start(user);
      warm.push(Date.now() - t);
      cpu.warm.push(await fittedAndDrawn(user.id));
      await sessions.stop(user.id, 'sign-out');
    }
    const crowd = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => accounts.createAccount({ username: `crowd-${i}`, password: 'bench password' })),
    );
    // A turn in the queue: from a Blender being ready to the next one booting (state 'waiting').
    const readyAt: number[] = [];
    const turns: number[] = [];
    const noteTurns = sessions.changed.on((view) => {
      if (!view.username.startsWith('crowd-')) return;
      if (view.state === 'ready') readyAt.push(Date.now());
      else if (view.state === 'waiting' && readyAt.length > 0) turns.push(Date.now() - readyAt.at(-1)!);
    });
    const t0 = Date.now();
    const each = await Promise.all(crowd.map(async (u) => { await sessions.start(u); return Date.now() - t0; }));
    noteTurns();
    const states = sessions.list().filter((s) => s.username.startsWith('crowd-')).map((s) => s.state);
    // What each Blender cost the CPUs to start and draw its first screen, once it is drawn.
    await new Promise((r) => setTimeout(r, 5_000));
    const crowdCpu = await Promise.all((await engine.containers.list(instanceLabels(instance))).map((c) => cpuSeconds(engine, c.id)));
    await sessions.stopAll('quit');
    // The crowd's first screens are drawn at the frame the runs above fitted screens to.
    const floor = await bareRunsAtOnce(image, concurrent, runs > 0 ? `${PANEL_FRAME.width}x${PANEL_FRAME.height}` : null);
    const ours = spread(each);
    const bare = spread(floor);
    return {
      cold,
      warm,
      cpuToFirstScreen: { frame: `${PANEL_FRAME.width}x${PANEL_FRAME.height}`, first_sign_in: cpu.cold, after_sign_out: cpu.warm },
      concurrent: {
        users: concurrent,
        start_queue_limit: settings.maxConcurrentStarts || (await engine.cpuCount()),
        sign_ins: ours,
        bare_docker_runs_floor: bare,
        mean_vs_floor_mean: Math.round((ours.mean_ms / bare.mean_ms) * 100) / 100,
        last_vs_floor_last: Math.round((ours.last_ms / bare.last_ms) * 100) / 100,
        goals: { mean_at_most: 0.8, last_at_most: 1.05 },
        turn_handover_ms: turns.length ? { median: median(turns), max: Math.max(...turns) } : null,
        all_ready: states.every((s) => s === 'ready'),
        cpu_seconds_per_blender: Math.round((crowdCpu.reduce((x, y) => x + y, 0) / crowdCpu.length) * 100) / 100,
      },
    };
  } finally {
    await sessions.stopAll('quit').catch(() => {});
    await sessions.dispose();
    await removeInstance(engine, instance);
  }
}
