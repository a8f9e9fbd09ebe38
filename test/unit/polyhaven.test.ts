import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PolyHaven } from '../../electron/services/assets/polyhaven';
import { PolyHavenStandIn } from '../support/polyhaven-standin';

// PolyHaven's documented API, spoken to a stand-in over real HTTP (these machines reach no outside service).
const standIn = new PolyHavenStandIn({
  studio_small_09: { name: 'Studio Small 09', type: 0, categories: ['indoor', 'studio'], authors: { 'Sergej Majboroda': 'All' }, download_count: 900, thumbnail_url: 'https://cdn.polyhaven.com/asset_img/thumbs/studio_small_09.png?width=256' },
  kloppenheim_06: { name: 'Kloppenheim 06', type: 0, categories: ['outdoor', 'skies'], authors: { 'Greg Zaal': 'All' }, download_count: 5000, thumbnail_url: 'javascript:alert(1)' },
  brick_wall_02: { name: 'Brick Wall 02', type: 1, categories: ['brick', 'wall', 'outdoor'], authors: { 'Rob Tuytel': 'Photography' }, download_count: 3000 },
  ceramic_vase_03: { name: 'Ceramic Vase 03', type: 2, categories: ['decorative'], authors: { 'Rico Cilliers': 'All' }, download_count: 100 },
  '../../etc/passwd': { name: 'A hostile entry', type: 0, categories: ['outdoor'], authors: {}, download_count: 99999 },
});
let polyhaven: PolyHaven;

beforeAll(async () => {
  const url = await standIn.listen();
  polyhaven = new PolyHaven(() => url, { timeoutMs: 1500, maxBytes: 1024 * 1024 });
});
afterEach(() => {
  standIn.misbehave = 'none';
});
afterAll(() => standIn.close());

describe('PolyHaven', () => {
  it('lists the most downloaded assets of a kind first, asking with the documented query', async () => {
    const found = await polyhaven.search('hdris', undefined, 20);
    expect(found.assets.map((a) => a.id)).toEqual(['kloppenheim_06', 'studio_small_09']);
    expect(found.assets[1]).toMatchObject({ name: 'Studio Small 09', type: 'hdris', authors: ['Sergej Majboroda'], license: 'CC0', downloadCount: 900 });
    expect(standIn.requests.at(-1)!.pathname + standIn.requests.at(-1)!.search).toBe('/assets?type=hdris');
  });

  it('keeps only assets in every category asked for, and at most as many as asked', async () => {
    expect((await polyhaven.search('all', 'outdoor', 20)).assets.map((a) => a.id)).toEqual(['kloppenheim_06', 'brick_wall_02']);
    expect(standIn.requests.at(-1)!.searchParams.get('categories')).toBe('outdoor');
    const one = await polyhaven.search('all', undefined, 1);
    expect([one.total, one.assets.length]).toEqual([4, 1]);
  });

  it('leaves out an entry whose id could name a path, and a thumbnail that is not an image address', async () => {
    const found = await polyhaven.search('all', undefined, 20);
    expect(found.assets.map((a) => a.id)).not.toContain('../../etc/passwd');
    expect(found.assets.find((a) => a.id === 'kloppenheim_06')!.thumbnailUrl).toBeNull();
    expect(found.assets.find((a) => a.id === 'studio_small_09')!.thumbnailUrl).toMatch(/^https:\/\/cdn\.polyhaven\.com\//);
  });

  it('counts categories per kind', async () => {
    expect(await polyhaven.categories('textures')).toEqual({ all: 1, brick: 1, wall: 1, outdoor: 1 });
    expect(await polyhaven.categories('all')).toEqual({ hdris: 3, textures: 1, models: 1 });
  });

  it('says it is reachable, and why not when it is not', async () => {
    expect(await polyhaven.status()).toMatchObject({ enabled: true });
    const closed = await closedPort();
    const away = new PolyHaven(() => `http://127.0.0.1:${closed}`);
    expect(await away.status()).toMatchObject({ enabled: false, message: expect.stringMatching(/PolyHaven cannot be reached: .*ECONNREFUSED/) });
  });

  it.each([
    ['html', 'ASSET_REFUSED', /came as text\/html, not application\/json/],
    ['not-json', 'ASSET_REFUSED', /was not valid JSON/],
    ['wrong-shape', 'ASSET_REFUSED', /not in the shape PolyHaven documents/],
    ['huge', 'ASSET_REFUSED', /larger than 1 MiB/],
    ['stall', 'ASSET_SOURCE_TIMEOUT', /did not arrive within 2 s/],
  ] as const)('refuses an answer that is %s, saying so', async (misbehaviour, code, message) => {
    standIn.misbehave = misbehaviour;
    await expect(polyhaven.search('hdris', undefined, 20)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
