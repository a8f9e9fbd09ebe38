import http from 'node:http';
import { AppError } from '../../../shared/errors';
import { BlenderClient } from './blender-client';

export interface ReadinessTarget {
  host?: string;
  addonPort: number;
  uiPort: number;
  secret: string;
}

export interface ReadinessOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Checked between polls, so a container that died ends the wait at once. Returns a reason, or null while alive. */
  whyDead?: () => Promise<string | null>;
  onStep?: (step: 'ui' | 'addon') => void;
  signal?: AbortSignal;
}

/**
 * Waits until Blender is really usable: the UI server answers over HTTP and the add-on answers
 * `get_scene_info` after authenticating. Measured by polling, never assumed after a fixed delay.
 */
export async function waitForBlender(target: ReadinessTarget, opts: ReadinessOptions): Promise<{ uiMs: number; addonMs: number }> {
  const started = Date.now();
  const poll = poller(opts, started);
  opts.onStep?.('ui');
  await poll('the Blender UI', uiAnswers(target));
  const uiMs = Date.now() - started;
  opts.onStep?.('addon');
  const client = new BlenderClient({ host: target.host ?? '127.0.0.1', port: target.addonPort, secret: target.secret, connectTimeoutMs: 2_000, requestTimeoutMs: 5_000 });
  try {
    await poll('the Blender add-on', async () => {
      try {
        await client.getSceneInfo();
        return true;
      } catch (error) {
        if (error instanceof AppError && error.code === 'BLENDER_AUTH_REJECTED') throw error;
        return false;
      }
    });
    return { uiMs, addonMs: Date.now() - started };
  } finally {
    client.close();
  }
}

/** Waits until the container's UI server answers over HTTP. */
export function waitForUi(target: ReadinessTarget, opts: ReadinessOptions): Promise<void> {
  return poller(opts, Date.now())('the Blender UI', uiAnswers(target));
}

const uiAnswers = (target: ReadinessTarget) => () => httpAnswers(target.host ?? '127.0.0.1', target.uiPort, '/vnc.html');

function poller(opts: ReadinessOptions, started: number) {
  const deadline = started + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 100;
  return async (what: string, attempt: () => Promise<boolean>): Promise<void> => {
    for (;;) {
      if (opts.signal?.aborted) throw new AppError('START_TIMEOUT', `Stopped waiting for ${what}: cancelled`);
      if (await attempt()) return;
      const dead = await opts.whyDead?.();
      if (dead) throw new AppError('START_TIMEOUT', `Blender stopped while starting: ${dead}`);
      if (Date.now() >= deadline) {
        throw new AppError('START_TIMEOUT', `Blender did not become ready within ${Math.round(opts.timeoutMs / 1000)} s (waiting for ${what})`);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
}

function httpAnswers(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
