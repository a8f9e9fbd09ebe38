import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { AccountService } from '../electron/services/accounts/accounts';
import type { AccountsFile } from '../electron/services/accounts/accounts-file';
import { BlenderClient } from '../electron/services/blender/blender-client';
import { MemoryStore } from '../electron/services/storage/document-store';
import { Engine } from '../electron/services/engine/engine';
import { PortAllocator } from '../electron/services/sessions/ports';
import { SessionManager } from '../electron/services/sessions/sessions';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { TestSshd } from '../test/support/sshd';
import { pct, round, sessionSecret } from './stats';
import { removeInstance } from './cleanup';

const spread = (xs: number[]) => ({ p50: round(pct(xs, 50)), p99: round(pct(xs, 99)) });

async function timed(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  return times;
}

/**
 * An engine over SSH (the suite's own sshd in front of this machine's engine) beside the same
 * engine on its socket: Docker API round trips, add-on round trips through the tunnel and
 * straight to the published port, and a sign-in to ready after a sign-out.
 */
export async function benchRemote(local: Engine, image: string, calls: number) {
  if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/sshd')) return { skipped: 'needs root and openssh-server (scripts/prepare.sh installs it)' };
  const sshd = await new TestSshd().start();
  const engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
  const instance = `bench-${randomBytes(4).toString('hex')}`;
  const settings = { ...DEFAULT_SETTINGS, image, addonPortBase: 36000, uiPortBase: 38000, portRangeSize: 20 };
  const accounts = new AccountService({ store: new MemoryStore<AccountsFile>({ version: 1, users: [] }), signUpAllowed: () => true, cost: { N: 1024, r: 8, p: 1 } });
  const sessions = new SessionManager({ engine, settings: () => settings, ports: new PortAllocator(() => settings), credentials: null, instance, imageSource: null, log: () => {} });
  try {
    const connectStarted = performance.now();
    await engine.ping();
    const firstConnectMs = round(performance.now() - connectStarted);
    const apiSsh = await timed(calls, () => engine.ping());
    const apiLocal = await timed(calls, () => local.ping());
    await sessions.init();
    const user = await accounts.createAccount({ username: 'remote', password: 'bench password' });
    await sessions.start(user);
    await sessions.stop(user.id, 'sign-out');
    const signInStarted = performance.now();
    const session = await sessions.start(user);
    const signInMs = Math.round(performance.now() - signInStarted);
    const secret = await sessionSecret(engine, session.containerName);
    const published = (await engine.containers.inspect(session.containerName))!.ports[9876]!;
    const throughTunnel = new BlenderClient({ port: session.ports!.addon, secret });
    const straight = new BlenderClient({ port: published, secret });
    try {
      return {
        first_connection_ms: firstConnectMs,
        docker_api_ping_ms: { calls, over_ssh: spread(apiSsh), local_socket: spread(apiLocal) },
        addon_ping_ms: { calls, through_ssh_tunnel: spread(await timed(calls, () => throughTunnel.ping())), straight_to_port: spread(await timed(calls, () => straight.ping())) },
        sign_in_to_ready_after_sign_out_ms: signInMs,
      };
    } finally {
      throughTunnel.close();
      straight.close();
    }
  } finally {
    await sessions.stopAll('quit').catch(() => {});
    await sessions.dispose();
    await removeInstance(engine, instance);
    engine.close();
    await sshd.stop();
  }
}
