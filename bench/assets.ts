import { randomBytes } from 'node:crypto';
import { AccountService } from '../electron/services/accounts/accounts';
import type { AccountsFile } from '../electron/services/accounts/accounts-file';
import { assetServices } from '../electron/services/assets/asset-services';
import type { Engine } from '../electron/services/engine/engine';
import { FileService } from '../electron/services/files/files';
import { PortAllocator } from '../electron/services/sessions/ports';
import { SessionManager } from '../electron/services/sessions/sessions';
import { SettingsService } from '../electron/services/settings/settings';
import { MemoryStore } from '../electron/services/storage/document-store';
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings';
import { radianceHdr } from '../test/support/asset-files';
import { PolyHavenStandIn } from '../test/support/polyhaven-standin';
import { removeInstance } from './cleanup';
import { median, round } from './stats';

/**
 * A PolyHaven HDRI made the world of one person's Blender (fetched from a stand-in on this
 * machine into the engine's shared cache), then of a second person's (from the cache): each run
 * a new asset of `mib` MiB, so every first import really fetches.
 */
export async function benchAssets(engine: Engine, image: string, runs: number, mib = 8) {
  const instance = `bench-${randomBytes(4).toString('hex')}`;
  const polyhaven = new PolyHavenStandIn({});
  await polyhaven.listen();
  const settings = new SettingsService(new MemoryStore<Settings>({ ...DEFAULT_SETTINGS, image, polyhavenUrl: polyhaven.url, addonPortBase: 35100, uiPortBase: 37100, portRangeSize: 20 }));
  const accounts = new AccountService({ store: new MemoryStore<AccountsFile>({ version: 1, users: [] }), signUpAllowed: () => true, cost: { N: 1024, r: 8, p: 1 } });
  const sessions = new SessionManager({ engine, settings: () => settings.get(), ports: new PortAllocator(() => settings.get()), credentials: null, instance, imageSource: null, log: () => {} });
  const files = new FileService({ engine, sessions, settings: () => settings.get() });
  const { polyhavenDownloads } = assetServices({ engine, instance, settings: () => settings.get(), blender: sessions, keysOf: async () => ({}), home: files });
  // 2048 × 1024 flat RGBE pixels: 8 MiB, as a PolyHaven 2k HDRI is.
  const hdr = radianceHdr(2048, Math.round((mib * 1024 * 1024) / (2048 * 4)));
  const first: number[] = [];
  const second: number[] = [];
  try {
    await sessions.init();
    const [ada, bob] = await Promise.all(['ada', 'bob'].map((username) => accounts.createAccount({ username, password: `${username} password` })));
    await Promise.all([sessions.start(ada!), sessions.start(bob!)]);
    for (let i = 0; i < runs + 1; i++) {
      const id = `bench_sky_${i}_${randomBytes(3).toString('hex')}`;
      polyhaven.fileTrees.set(id, { hdri: { '1k': { hdr: polyhaven.serve(`${id}_1k.hdr`, hdr) } } });
      const request = { asset_id: id, asset_type: 'hdris' as const, resolution: '1k', file_format: 'hdr' };
      let t = performance.now();
      await polyhavenDownloads.add(ada!.id, request);
      const fetched = performance.now() - t;
      t = performance.now();
      const cached = await polyhavenDownloads.add(bob!.id, request);
      const fromCache = performance.now() - t;
      if (!cached.cached) throw new Error('the second import fetched again');
      if (i === 0) continue; // warms Blender's image and node code; not counted
      first.push(round(fetched));
      second.push(round(fromCache));
    }
    return {
      asset_mib: mib,
      first_import_fetched_ms: { median_ms: median(first), runs_ms: first },
      second_import_from_cache_ms: { median_ms: median(second), runs_ms: second },
    };
  } finally {
    await sessions.dispose();
    await removeInstance(engine, instance);
    await polyhaven.close();
  }
}
