import { z } from 'zod';
import type { AssetSearch, AssetSummary, PolyHavenType, SourceStatus } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import { fetchJson } from './fetch-capped';
import { isFetchable, Thumbnails } from './images';

/** How long one of PolyHaven's listings may take, and the most it may hold (its whole asset list is about 3 MB). */
export const LISTING_LIMITS = { timeoutMs: 30_000, maxBytes: 32 * 1024 * 1024 };
/** PolyHaven's own numbers for its asset types, in an asset's `type`. */
const TYPE_NUMBERS: Record<number, PolyHavenType> = { 0: 'hdris', 1: 'textures', 2: 'models' };

/** The fields of an asset the panel uses; the rest of PolyHaven's answer is passed over. */
const assetSchema = z.object({
  name: z.string().max(500),
  type: z.number().int(),
  categories: z.array(z.string().max(200)).max(100).default([]),
  authors: z.record(z.string().max(200), z.string().max(500)).default({}),
  download_count: z.number().int().nonnegative().default(0),
  thumbnail_url: z.string().max(2048).optional(),
});

const assetsSchema = z.record(z.string(), z.unknown());
const categoriesSchema = z.record(z.string().max(200), z.number().int().nonnegative());

/** A slug as PolyHaven gives its assets: the only shape of id the panel ever puts in a path or a URL. */
export const POLYHAVEN_ID = /^[a-z0-9][a-z0-9_-]{0,127}$/;


/** PolyHaven's public API (https://api.polyhaven.com, or a lab's mirror), as documented in its swagger.yml. */
export class PolyHaven {
  /** PolyHaven's thumbnails are small .webp pictures. */
  private readonly thumbnails = new Thumbnails({ timeoutMs: 15_000, maxBytes: 1024 * 1024 });

  constructor(
    private readonly baseUrl: () => string,
    private readonly listing: { timeoutMs: number; maxBytes: number } = LISTING_LIMITS,
  ) {}

  /** Whether PolyHaven answers; it needs no key. */
  async status(): Promise<SourceStatus> {
    try {
      await this.get('/types', "PolyHaven's list of asset types", z.array(z.string()));
      return { enabled: true, message: 'PolyHaven is reachable: HDRIs, textures and models can be searched and added (no key needed).' };
    } catch (error) {
      return { enabled: false, message: `PolyHaven cannot be reached: ${(error as Error).message}` };
    }
  }

  /** Category → how many assets of `type` are in it. */
  async categories(type: PolyHavenType | 'all'): Promise<Record<string, number>> {
    return this.get(`/categories/${type}`, `PolyHaven's ${type} categories`, categoriesSchema);
  }

  /** The most downloaded assets of `type` in every one of `categories` (comma-separated), at most `limit`. */
  async search(type: PolyHavenType | 'all', categories: string | undefined, limit: number): Promise<AssetSearch> {
    const query = new URLSearchParams();
    if (type !== 'all') query.set('type', type);
    if (categories) query.set('categories', categories);
    const listed = await this.get(`/assets${query.size ? `?${query}` : ''}`, "PolyHaven's asset list", assetsSchema);
    const assets = Object.entries(listed).flatMap(([id, raw]) => summaryOf(id, raw));
    assets.sort((a, b) => b.downloadCount - a.downloadCount || a.id.localeCompare(b.id));
    for (const a of assets) if (a.thumbnailUrl) this.thumbnails.note(a.id, a.thumbnailUrl);
    return { total: assets.length, assets: assets.slice(0, limit) };
  }

  /** The tree of an asset's files (by map or format, resolution and format), unchecked: `planDownload` checks what it uses. */
  async files(id: string): Promise<unknown> {
    if (!POLYHAVEN_ID.test(id)) throw new AppError('INVALID_INPUT', `${JSON.stringify(id.slice(0, 80))} is not a PolyHaven asset id`);
    return this.get(`/files/${id}`, `PolyHaven's file list for ${id}`, z.record(z.string(), z.unknown()));
  }

  /** An asset's picture as a data: URL, from the address a search gave for it; null for an asset no search has listed. */
  thumbnail(id: string): Promise<string | null> {
    return this.thumbnails.of(id);
  }

  private async get<T extends z.ZodType>(pathAndQuery: string, what: string, schema: T): Promise<z.output<T>> {
    const body = await fetchJson(`${this.baseUrl().replace(/\/+$/, '')}${pathAndQuery}`, { ...this.listing, what });
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new AppError('ASSET_REFUSED', `${what} was not in the shape PolyHaven documents: refused`);
    return parsed.data;
  }
}

/** One listed asset as the panel shows it; none for an entry it cannot use (a bad id, a field of the wrong kind). */
function summaryOf(id: string, raw: unknown): AssetSummary[] {
  const parsed = assetSchema.safeParse(raw);
  const type = parsed.success ? TYPE_NUMBERS[parsed.data.type] : undefined;
  if (!parsed.success || !type || !POLYHAVEN_ID.test(id)) return [];
  const asset = parsed.data;
  return [{
    id,
    name: asset.name,
    type,
    categories: asset.categories,
    authors: Object.keys(asset.authors),
    license: 'CC0',
    downloadCount: asset.download_count,
    thumbnailUrl: asset.thumbnail_url && isFetchable(asset.thumbnail_url) ? asset.thumbnail_url : null,
  }];
}

