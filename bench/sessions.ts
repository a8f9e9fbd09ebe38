import { randomBytes } from 'node:crypto';
import { AccountService, type AccountsFile } from '../electron/services/accounts';
import { MemoryStore } from '../electron/services/document-store';
import type { Engine } from '../electron/services/engine';
import { instanceLabels } from '../electron/services/naming';
import { PortAllocator } from '../electron/services/ports';
import { SessionManager } from '../electron/services/sessions';
import { DEFAULT_SETTINGS } from '../shared/settings';

/** Sign-in → ready through the session service: cold (first ever), warm (after sign-out), and N at once. */
export async function benchSessions(engine: Engine, image: string, runs: number, concurrent: number) {
  const instance = `bench-${randomBytes(4).toString('hex')}`;
  const settings = { ...DEFAULT_SETTINGS, image, addonPortBase: 31000, uiPortBase: 33000, portRangeSize: 50 };
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
  try {
    for (let i = 0; i < runs; i++) {
      const user = await accounts.createAccount({ username: `bench-${i}`, password: 'bench password' });
      let t = Date.now();
      await sessions.start(user);
      cold.push(Date.now() - t);
      await sessions.stop(user.id, 'sign-out');
      t = Date.now();
      await sessions.start(user);
      warm.push(Date.now() - t);
      await sessions.stop(user.id, 'sign-out');
    }
    const crowd = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => accounts.createAccount({ username: `crowd-${i}`, password: 'bench password' })),
    );
    const t0 = Date.now();
    const each = await Promise.all(crowd.map(async (u) => { await sessions.start(u); return Date.now() - t0; }));
    const allReady = Date.now() - t0;
    const states = sessions.list().filter((s) => s.username.startsWith('crowd-')).map((s) => s.state);
    return { cold, warm, concurrent: { users: concurrent, all_ready_ms: allReady, slowest_ms: Math.max(...each), fastest_ms: Math.min(...each), all_ready: states.every((s) => s === 'ready') } };
  } finally {
    await sessions.stopAll('quit').catch(() => {});
    await sessions.dispose();
    const labels = instanceLabels(instance);
    for (const c of await engine.listContainers(labels)) await engine.removeContainer(c.id);
    for (const v of await engine.listVolumes(labels)) await engine.removeVolume(v);
  }
}
