import { createHash } from 'node:crypto';

/** Docker names for a user's things. The id makes them unique; the slug makes them readable. */

export function slugOf(username: string): string {
  const slug = username
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  return slug || 'user';
}

export const containerNameFor = (username: string, userId: string) => `blender-${slugOf(username)}-${userId}`;
export const volumeNameFor = (username: string, userId: string) => `blender-data-${slugOf(username)}-${userId}`;
export const networkNameFor = (username: string, userId: string) => `blender-net-${slugOf(username)}-${userId}`;

export const LABELS = {
  app: 'org.blender-lab.app',
  instance: 'org.blender-lab.instance',
  userId: 'org.blender-lab.user-id',
  username: 'org.blender-lab.username',
} as const;

/** The shared cache of public assets on an engine, for one panel: its volume, and the container (never started) the panel writes it through. */
export const assetCacheVolumeFor = (instance: string) => `blender-lab-assets-${instance}`;
export const assetCacheHolderFor = (instance: string) => `blender-lab-assets-${instance}`;

/** One panel's namespace (of containers, volumes and keychain entries): a hash of its data directory. */
export function instanceFor(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
}

/** The labels every container and volume of one panel carries. */
export function instanceLabels(instance: string): Record<string, string> {
  return { [LABELS.app]: 'blender-lab', [LABELS.instance]: instance };
}
