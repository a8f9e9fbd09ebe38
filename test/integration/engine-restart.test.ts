import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';

// Restarting the real engine under a running panel: the event stream must come back and the
// state must be rebuilt from what Docker has afterwards. Restarting dockerd needs root and a
// local engine, as npm test has on the machines it prepares.
const engine = testEngine();
let h: Harness | undefined;

afterAll(async () => {
  execFileSync('bash', ['scripts/engine-start.sh'], { stdio: 'inherit' });
  await h?.cleanup();
});

it('reconnects to Docker events after the engine restarts, and reconciles', async () => {
  if (process.getuid?.() !== 0 || process.env.DOCKER_HOST) {
    throw new Error('This test restarts the local dockerd: run the suite as root against the local engine');
  }
  h = await new Harness(engine).init();
  const { user } = await h.user('nia');
  await h.sessions.start(user);

  execFileSync('pkill', ['-x', 'dockerd']);
  await waitFor('dockerd to exit', () => {
    try {
      execFileSync('pgrep', ['-x', 'dockerd']);
      return undefined;
    } catch {
      return true; // pgrep found none
    }
  }, { timeoutMs: 60_000 });
  execFileSync('bash', ['scripts/engine-start.sh'], { stdio: 'inherit' });

  // The engine stopped the container on its way down; the panel learns it once reconnected.
  const after = await waitFor('the session to be seen as ended', () => {
    const s = h!.sessions.get(user.id);
    return s && s.state !== 'ready' ? s : undefined;
  }, { timeoutMs: 60_000 });
  expect(['stopped', 'failed']).toContain(after.state);

  // And events flow again: an outside stop is noticed.
  const s = await h.sessions.start(user);
  expect(s.state).toBe('ready');
  await engine.stopContainer(s.containerName);
  const stopped = await waitFor('the outside stop to be noticed', () => {
    const v = h!.sessions.get(user.id);
    return v?.state === 'stopped' ? v : undefined;
  }, { timeoutMs: 30_000 });
  expect(stopped.reason).toBe('Stopped outside the panel');
});
