/** The most folders deep a path from a server may go. */
const MAX_DEPTH = 8;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$/;

/**
 * `name` (from a server or an archive) as a path relative to a folder of ours, or null when it
 * could leave that folder or mean something else than it says: absolute, `..`, backslashes,
 * empty or hidden segments, control characters, too deep. Checked before anything touches a disk.
 */
export function safeRelativePath(name: string): string | null {
  if (name.length === 0 || name.length > 1024 || name.startsWith('/') || name.includes('\\')) return null;
  const segments = name.split('/');
  if (segments.length > MAX_DEPTH) return null;
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || !SEGMENT.test(segment) || segment.endsWith(' ') || segment.endsWith('.')) return null;
  }
  return segments.join('/');
}
