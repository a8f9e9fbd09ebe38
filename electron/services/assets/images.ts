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
