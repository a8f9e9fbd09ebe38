import { afterEach, describe, expect, it } from 'vitest';
import { BlenderClient } from '../../electron/services/blender/blender-client';
import { waitForUi } from '../../electron/services/blender/readiness';
import { IMAGE, TEST_LABELS, WINDOW_SIZE_CODE, launchBlender, publishedPorts, startBlender, testEngine, untilReady, type TestBlender } from '../support/blender';
import { waitFor } from '../support/wait';
import { testDocker } from '../support/docker';

const docker = testDocker();

// The container as Docker sees it: it comes back after stop/start and kill, and it never
// keeps running with a dead Blender or UI server inside.
const engine = testEngine();
const created: string[] = [];

afterEach(async () => {
  for (const id of created.splice(0)) await engine.containers.remove(id);
});

async function started(): Promise<TestBlender> {
  const b = await startBlender(engine);
  created.push(b.id);
  await untilReady(engine, b);
  return b;
}

async function sceneObjectCount(b: TestBlender): Promise<number> {
  const client = new BlenderClient({ port: b.addonPort, secret: b.secret });
  try {
    return (await client.getSceneInfo()).object_count;
  } finally {
    client.close();
  }
}

/** Kills one process inside the container by its command name, as an outside fault would. */
async function killInside(id: string, comm: string): Promise<void> {
  const container = docker.getContainer(id);
  const exec = await container.exec({
    Cmd: ['bash', '-c', `for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = "${comm}" ] && kill -KILL "\${p#/proc/}"; done; true`],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({});
  await new Promise((resolve) => { stream.on('end', resolve); stream.resume(); });
}

/** The size of Blender's own window, as Blender reports it. */
async function windowSize(b: TestBlender): Promise<string> {
  const client = new BlenderClient({ port: b.addonPort, secret: b.secret });
  try {
    const { result } = await client.executeCode(WINDOW_SIZE_CODE);
    return result;
  } finally {
    client.close();
  }
}

async function restarted(b: TestBlender): Promise<TestBlender> {
  await engine.containers.stop(b.id);
  await engine.containers.start(b.id);
  const again = { ...b, ...(await publishedPorts(engine, b.id)) };
  await untilReady(engine, again);
  return again;
}

/** Waits until the container has exited; returns how it ended. */
function exited(id: string, what = 'the container to exit') {
  return waitFor(what, async () => {
    const i = await engine.containers.inspect(id);
    return i && !i.running ? i : undefined;
  });
}

describe('Blender container lifecycle', () => {
  it('comes back ready after repeated docker stop / docker start', async () => {
    const b = await started();
    for (let cycle = 0; cycle < 3; cycle++) {
      await engine.containers.stop(b.id);
      expect((await engine.containers.inspect(b.id))?.running).toBe(false);
      await engine.containers.start(b.id);
      const again = { ...b, ...(await publishedPorts(engine, b.id)) };
      await untilReady(engine, again);
      expect(await sceneObjectCount(again)).toBe(3);
    }
  });

  it('comes back ready after docker kill', async () => {
    const b = await started();
    await engine.containers.kill(b.id);
    await waitFor('container to stop after kill', async () => !(await engine.containers.inspect(b.id))?.running);
    await engine.containers.start(b.id);
    const again = { ...b, ...(await publishedPorts(engine, b.id)) };
    await untilReady(engine, again);
    expect(await sceneObjectCount(again)).toBe(3);
  });

  it('exits when Blender dies inside it', async () => {
    const b = await started();
    await killInside(b.id, 'blender');
    const info = await exited(b.id, 'container to exit after Blender died');
    expect(info.exitCode).not.toBe(0);
    expect(await engine.containers.logs(b.id, 40)).toContain('a component exited');
  });

  it('exits when the UI server dies inside it', async () => {
    const b = await started();
    await killInside(b.id, 'websockify');
    const info = await exited(b.id, 'container to exit after websockify died');
    expect(info.exitCode).not.toBe(0);
  });

  it('stops promptly and cleanly on docker stop', async () => {
    const b = await started();
    const t0 = Date.now();
    await engine.containers.stop(b.id, 20);
    const info = await engine.containers.inspect(b.id);
    expect(info?.exitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000); // well under the 20 s kill grace: SIGTERM was honoured
  });

  it('refuses to start without a session secret, saying why', async () => {
    const id = await engine.containers.create({
      name: `blender-lab-test-nosecret-${Date.now()}`,
      image: IMAGE,
      env: {},
      labels: TEST_LABELS,
      ports: [],
      volumes: [],
      limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1e9, pids: 64 },
    });
    created.push(id);
    await engine.containers.start(id);
    const info = await exited(id, 'container to exit');
    expect(info.exitCode).toBe(64);
    expect(await engine.containers.logs(id)).toContain('BLENDER_LAB_SECRET is not set');
  });

  it('draws its first screen at the size the panel passes, then at the size the screen was last fitted to', async () => {
    const b = await startBlender(engine, { env: { BLENDER_LAB_SCREEN: '1280x720' } });
    created.push(b.id);
    await untilReady(engine, b);
    expect(await windowSize(b)).toBe('1280x720');
    expect(await engine.containers.exec(b.id, ['/opt/blender-lab/fit-screen.sh', '1024', '640'])).toMatchObject({ exitCode: 0 });
    await waitFor('Blender to follow the screen', async () => (await windowSize(b)) === '1024x640');
    const again = await restarted(b);
    expect(await windowSize(again)).toBe('1024x640');
    expect(await engine.containers.logs(b.id, 200)).toContain('starting display :99 (1024x640)');
  });

  it('draws its first screen once, not again for the display or the clipboard helper', async () => {
    // Each full draw of Blender's screen costs about 0.4 CPU-seconds in software: a start that
    // draws it again for nothing makes everyone behind it in the start queue wait longer.
    const b = await started();
    const client = new BlenderClient({ port: b.addonPort, secret: b.secret });
    const { result: version } = await client.executeCode('import bpy\nprint("%d.%d" % bpy.app.version[:2], end="")').finally(() => client.close());
    // Blender runs the person's startup scripts before it opens its window: this one notes each
    // draw of the 3D view, and the time every half second, in /tmp.
    const counter = [
      'import bpy, time',
      't0 = time.monotonic()',
      'def note(what):',
      '    with open("/tmp/draws.log", "a") as f: f.write(f"{what} {time.monotonic() - t0:.2f}\\n")',
      'def tick():',
      '    note("tick")',
      '    return 0.5',
      'def register():',
      '    bpy.types.SpaceView3D.draw_handler_add(lambda: note("draw"), (), "WINDOW", "POST_PIXEL")',
      '    bpy.app.timers.register(tick, first_interval=0.5, persistent=True)',
    ].join('\n');
    const dir = `/home/blender/.config/blender/${version}/scripts/startup`;
    expect(await engine.containers.exec(b.id, ['sh', '-c', `mkdir -p ${dir} && cat > ${dir}/count_draws.py <<'EOF'\n${counter}\nEOF`])).toMatchObject({ exitCode: 0 });
    await restarted(b);
    // Five seconds of Blender's life, by its own clock: the draws made for nothing came within three.
    const log = await waitFor('Blender to run for five seconds', async () => {
      const { stdout } = await engine.containers.exec(b.id, ['cat', '/tmp/draws.log']);
      return stdout.split('\n').some((line) => line.startsWith('tick') && Number(line.split(' ')[1]) >= 5) ? stdout : undefined;
    });
    expect(log.split('\n').filter((line) => line.startsWith('draw'))).toHaveLength(1);
  });

  it('starts at the usual size when the remembered one is damaged, and says so', async () => {
    const b = await started();
    expect(await engine.containers.exec(b.id, ['sh', '-c', 'echo 99999x7 > /var/lib/blender-lab/screen'])).toMatchObject({ exitCode: 0 });
    const again = await restarted(b);
    expect(await windowSize(again)).toBe('1600x900');
    const logs = await engine.containers.logs(b.id, 200);
    expect(logs).toContain("fit-screen: WIDTH must be 320-3840 and HEIGHT 240-2160 (got '99999' '7')");
    expect(logs).toContain('could not set the screen to 99999x7; using 1600x900');
  });

  it('runs as the unprivileged blender user, with no capabilities', async () => {
    const b = await started();
    const exec = await docker.getContainer(b.id).exec({
      Cmd: ['bash', '-c', 'id -un; grep CapEff /proc/1/status; grep NoNewPrivs /proc/1/status'],
      AttachStdout: true,
    });
    const stream = await exec.start({});
    const chunks: Buffer[] = [];
    await new Promise((resolve) => { stream.on('data', (c: Buffer) => chunks.push(c)); stream.on('end', resolve); });
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out).toContain('blender');
    expect(out).toMatch(/CapEff:\s+0000000000000000/);
    expect(out).toMatch(/NoNewPrivs:\s+1/);
  });

  it('reports healthy once Blender and the UI answer', async () => {
    const b = await started();
    const health = await waitFor('healthcheck to pass', async () => {
      const h = (await engine.containers.inspect(b.id))?.health;
      return h === 'healthy' ? h : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    expect(health).toBe('healthy');
  });

  describe('held for a turn in the start queue', () => {
    /** A container started as the panel starts the next in its queue: everything up but Blender. */
    async function held(seconds = '120'): Promise<TestBlender> {
      const b = await startBlender(engine, { env: { BLENDER_LAB_HOLD_SECONDS: seconds } });
      created.push(b.id);
      return b;
    }
    const blenderRuns = async (id: string) => (await engine.containers.exec(id, ['bash', '-c', 'grep -lx blender /proc/[0-9]*/comm || true'])).stdout.trim() !== '';

    it('serves its UI but starts Blender only at the let-in signal its image names', async () => {
      const b = await held();
      await waitForUi(b, { timeoutMs: 60_000 });
      expect(await engine.containers.logs(b.id)).toContain('waiting for a turn to start Blender');
      expect(await blenderRuns(b.id)).toBe(false);
      const signal = (await engine.containers.inspect(b.id))!.labels['org.blender-lab.let-in-signal'];
      expect(signal).toBe('SIGUSR1');
      await engine.containers.signal(b.id, signal!);
      await untilReady(engine, b);
      expect(await sceneObjectCount(b)).toBe(3);
    });

    it('ends at once when stopped before its turn, with nothing to save', async () => {
      const b = await held();
      await waitForUi(b, { timeoutMs: 60_000 });
      await engine.containers.stop(b.id, 20);
      const info = await engine.containers.inspect(b.id);
      expect(info?.exitCode).toBe(0);
      const logs = await engine.containers.logs(b.id);
      expect(logs).toContain('stopping before Blender started');
      expect(logs).not.toContain('could not save the scene');
    });

    /** A held container expected to exit at once: its ports may be gone before they are read. */
    async function heldToExit(seconds: string): Promise<{ id: string }> {
      const b = await launchBlender(engine, { env: { BLENDER_LAB_HOLD_SECONDS: seconds } });
      created.push(b.id);
      return b;
    }

    it('gives up when no turn comes in time, saying so', async () => {
      const b = await heldToExit('1');
      expect((await exited(b.id)).exitCode).toBe(75);
      expect(await engine.containers.logs(b.id)).toContain('no turn came within 1 s; stopping');
    });

    it('refuses a hold that is not a whole number of seconds, saying why', async () => {
      const b = await heldToExit('soon');
      expect((await exited(b.id)).exitCode).toBe(64);
      expect(await engine.containers.logs(b.id)).toContain('BLENDER_LAB_HOLD_SECONDS must be a whole number of seconds (1-99999).');
    });

    it('ignores the let-in signal once Blender runs, so a panel taking it over may always send it', async () => {
      const b = await started();
      await engine.containers.signal(b.id, 'SIGUSR1');
      expect(await sceneObjectCount(b)).toBe(3);
      // Only a live entrypoint saves on stop: had the signal ended it, the container would be gone.
      await engine.containers.stop(b.id, 20);
      expect((await engine.containers.inspect(b.id))?.exitCode).toBe(0);
      expect(await engine.containers.logs(b.id)).toContain('stopping: saving the scene first');
    });
  });
});
