import { z } from 'zod';
import type { SketchfabModel, SketchfabSearch, SourceStatus } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import { fetchJson } from './fetch-capped';
import { fetchPicture, isFetchable, Thumbnails } from './images';

/** How long one of Sketchfab's answers may take, and the most it may hold. */
const ANSWER = { timeoutMs: 30_000, maxBytes: 8 * 1024 * 1024 };
const PREVIEW = { timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024 };
/** A model's uid as Sketchfab gives them: the only shape the panel puts in a URL or a folder name. */
export const SKETCHFAB_UID = /^[a-f0-9]{32}$/;
export const SKETCHFAB_KEY = 'SKETCHFAB_API_KEY';

const thumbnailsSchema = z.object({ images: z.array(z.object({ url: z.string().max(2048), width: z.number().int().nonnegative().default(0), height: z.number().int().nonnegative().default(0) })).max(50).default([]) }).default({ images: [] });
const modelSchema = z.object({
  uid: z.string(),
  name: z.string().max(500),
  user: z.object({ username: z.string().max(200), displayName: z.string().max(200).optional() }).optional(),
  license: z.object({ label: z.string().max(200) }).nullish(),
  thumbnails: thumbnailsSchema,
  isDownloadable: z.boolean().default(false),
  viewerUrl: z.string().max(2048).optional(),
});
const searchSchema = z.object({ results: z.array(z.unknown()).max(100) });
const downloadSchema = z.object({ gltf: z.object({ url: z.string().max(4096), size: z.number().int().nonnegative().optional() }).optional() });

/** Sketchfab's Data API v3 (https://api.sketchfab.com/v3, or a lab's proxy), with each person's own key. */
export class Sketchfab {
  private readonly thumbnails = new Thumbnails(PREVIEW);

  constructor(
    private readonly baseUrl: () => string,
    /** The person's own SKETCHFAB_API_KEY, or null when they have none. */
    private readonly keyOf: (userId: string) => Promise<string | null>,
  ) {}

  async status(userId: string): Promise<SourceStatus> {
    const key = await this.keyOf(userId);
    if (!key) return { enabled: false, message: `Sketchfab needs your own API key: add ${SKETCHFAB_KEY} in Keys (from sketchfab.com, Settings, Password & API).` };
    try {
      const me = z.object({ username: z.string().max(200) }).parse(await this.get('/me', 'Your Sketchfab account', key));
      return { enabled: true, message: `Sketchfab is ready: signed in as ${me.username}.` };
    } catch (error) {
      return { enabled: false, message: `Sketchfab refused or did not answer: ${(error as Error).message}` };
    }
  }

  /** Models matching `query` (and `categories`, comma-separated slugs), as many as `count`. */
  async search(userId: string, query: string, categories: string | undefined, count: number, downloadable: boolean): Promise<SketchfabSearch> {
    const params = new URLSearchParams({ type: 'models', q: query, count: String(count), downloadable: String(downloadable), archives_flavours: 'false' });
    if (categories) params.set('categories', categories);
    const answer = searchSchema.safeParse(await this.get(`/search?${params}`, "Sketchfab's search", await this.key(userId)));
    if (!answer.success) throw new AppError('ASSET_REFUSED', "Sketchfab's search was not in the shape it documents: refused");
    const models = answer.data.results.flatMap((raw) => this.summaryOf(raw));
    return { total: models.length, models };
  }

  /** A model's picture (a medium one, about 640 pixels wide) with its name and author. */
  async preview(userId: string, uid: string): Promise<{ image_base64: string; format: string; model_name: string; author: string }> {
    const model = modelSchema.safeParse(await this.get(`/models/${checkedUid(uid)}`, `Sketchfab's model ${uid}`, await this.key(userId)));
    if (!model.success) throw new AppError('ASSET_REFUSED', `Sketchfab's model ${uid} was not in the shape it documents: refused`);
    const images = model.data.thumbnails.images.filter((i) => isFetchable(i.url));
    const picked = images.find((i) => i.width >= 400 && i.width <= 800) ?? images[0];
    if (!picked) throw new AppError('NOT_FOUND', `Sketchfab has no picture of ${uid}`);
    const { bytes, type } = await fetchPicture(picked.url, `The picture of ${uid}`, PREVIEW);
    return { image_base64: bytes.toString('base64'), format: type.slice('image/'.length), model_name: model.data.name, author: model.data.user?.username ?? 'unknown' };
  }

  /** The thumbnail a search listed for `uid`, as a data: URL; null for one no search has listed. */
  thumbnail(uid: string): Promise<string | null> {
    return this.thumbnails.of(uid);
  }

  /** Where the model's glTF archive (a zip) can be fetched now, and its size when Sketchfab says. */
  async archive(userId: string, uid: string): Promise<{ url: string; size: number | null }> {
    const answer = downloadSchema.safeParse(await this.get(`/models/${checkedUid(uid)}/download`, `Sketchfab's download of ${uid}`, await this.key(userId)));
    const gltf = answer.success ? answer.data.gltf : undefined;
    if (!gltf) throw new AppError('NOT_FOUND', `Sketchfab offers no glTF of ${uid}: it may not be downloadable, or not by you`);
    if (!isFetchable(gltf.url)) throw new AppError('ASSET_REFUSED', `Sketchfab's download of ${uid} points at an address that is not https: refused`);
    return { url: gltf.url, size: gltf.size ?? null };
  }

  private summaryOf(raw: unknown): SketchfabModel[] {
    const parsed = modelSchema.safeParse(raw);
    if (!parsed.success || !SKETCHFAB_UID.test(parsed.data.uid)) return [];
    const m = parsed.data;
    const images = m.thumbnails.images.filter((i) => isFetchable(i.url)).sort((a, b) => a.width - b.width);
    const thumbnail = images.find((i) => i.width >= 200) ?? images.at(-1);
    if (thumbnail) this.thumbnails.note(m.uid, thumbnail.url);
    return [{ uid: m.uid, name: m.name, author: m.user?.displayName || m.user?.username || 'unknown', license: m.license?.label ?? 'see the model\'s page', downloadable: m.isDownloadable, thumbnailUrl: thumbnail?.url ?? null }];
  }

  private async key(userId: string): Promise<string> {
    const key = await this.keyOf(userId);
    if (!key) throw new AppError('INVALID_INPUT', `Sketchfab needs your own API key: add ${SKETCHFAB_KEY} in Keys`);
    return key;
  }

  private async get(pathAndQuery: string, what: string, key: string): Promise<unknown> {
    // The key goes to Sketchfab's own address only, never to a file or picture address it names.
    return fetchJson(`${this.baseUrl().replace(/\/+$/, '')}${pathAndQuery}`, { ...ANSWER, what, headers: { Authorization: `Token ${key}` } });
  }
}

function checkedUid(uid: string): string {
  if (!SKETCHFAB_UID.test(uid)) throw new AppError('INVALID_INPUT', `${JSON.stringify(uid.slice(0, 80))} is not a Sketchfab model uid`);
  return uid;
}

