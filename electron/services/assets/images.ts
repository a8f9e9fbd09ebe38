import { AppError } from '../../../shared/errors';
import { fetchCapped } from './fetch-capped';

/** Small helpers for pictures and addresses that come from outside services. */

/** Keeps `value` under `key`, forgetting the oldest beyond `most`. */
export function remember(map: Map<string, string>, key: string, value: string, most: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= most) break;
    map.delete(oldest);
  }
}

/** The image type its first bytes say, whatever the server's header claimed. */
export function sniffImage(bytes: Buffer): string | null {
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** https, or plain http only to this machine (a stand-in or a local mirror): an address the panel fetches from. */
export function isFetchable(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost)$/.test(u.hostname));
  } catch {
    return false;
  }
}

/** A picture from an outside address: fetched with a cap, and refused unless its bytes are a WebP, PNG or JPEG. */
export async function fetchPicture(url: string, what: string, limits: { maxBytes: number; timeoutMs: number }): Promise<{ bytes: Buffer; type: string }> {
  const bytes = await fetchCapped(url, { ...limits, accept: ['image/webp', 'image/png', 'image/jpeg'], what });
  const type = sniffImage(bytes);
  if (!type) throw new AppError('ASSET_REFUSED', `${what} is not a WebP, PNG or JPEG image: refused`);
  return { bytes, type };
}

/** Thumbnail addresses remembered from searches, and pictures fetched: the most of each kept. */
const REMEMBERED = { addresses: 5000, pictures: 300 };

/**
 * The pictures a search listed, by asset id: the panel fetches one (the renderer reaches no
 * outside address) only from the address a search gave for that asset, and keeps the newest.
 */
export class Thumbnails {
  private readonly addresses = new Map<string, string>();
  private readonly pictures = new Map<string, string>();

  /** `limits`: how large one picture may be, and how long it may take. */
  constructor(private readonly limits: { maxBytes: number; timeoutMs: number }) {}

  /** Remembers where the picture of `id` is, as a search said. */
  note(id: string, url: string): void {
    remember(this.addresses, id, url, REMEMBERED.addresses);
  }

  /** The picture of `id` as a data: URL; null for an asset no search has listed. */
  async of(id: string): Promise<string | null> {
    const known = this.pictures.get(id);
    if (known) return known;
    const url = this.addresses.get(id);
    if (!url) return null;
    const { bytes, type } = await fetchPicture(url, `The picture of ${id}`, this.limits);
    const picture = `data:${type};base64,${bytes.toString('base64')}`;
    remember(this.pictures, id, picture, REMEMBERED.pictures);
    return picture;
  }
}
