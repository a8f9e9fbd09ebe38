import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A host key as the SSH server presented it (the wire-format public key blob). */
export interface PresentedKey {
  type: string;
  /** OpenSSH's own rendering, `SHA256:` and unpadded base64, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  blob: Buffer;
}

export type HostKeyVerdict = { trusted: true } | { trusted: false; why: 'unknown' | 'changed' | 'revoked' };

export function presentedKey(blob: Buffer): PresentedKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = length > 0 && length <= 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
  return { type, fingerprint: fingerprintOf(blob), blob };
}

function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** How known_hosts names a host: bare on port 22, `[host]:port` elsewhere. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

interface Entry {
  marker: '' | '@revoked' | '@cert-authority';
  matches: (name: string) => boolean;
  blob: Buffer;
}

/**
 * Host keys as OpenSSH keeps them: the person's own `~/.ssh/known_hosts` files (read only,
 * hashed names and wildcards understood) and the panel's own file, where keys an administrator
 * accepted are written. A key is trusted when an entry for the host holds it; a host whose
 * entries of the same key type all differ has changed its key, which is refused like an unknown
 * one. A server holds a key of each type, so an entry of another type says nothing about this one:
 * calling that "changed" would teach administrators to accept keys.
 */
export class KnownHosts {
  constructor(
    private readonly readOnlyFiles: string[],
    private readonly acceptedFile: string,
  ) {}

  check(host: string, port: number, blob: Buffer): HostKeyVerdict {
    const name = hostEntryName(host, port);
    const entries = [...this.readOnlyFiles, this.acceptedFile].flatMap((file) => readEntries(file)).filter((e) => e.marker !== '@cert-authority' && e.matches(name));
    if (entries.some((e) => e.marker === '@revoked' && e.blob.equals(blob))) return { trusted: false, why: 'revoked' };
    const own = entries.filter((e) => e.marker === '');
    if (own.some((e) => e.blob.equals(blob))) return { trusted: true };
    const { type } = presentedKey(blob);
    const sameType = own.filter((e) => presentedKey(e.blob).type === type);
    // Keys accepted here win over an older key the person's own file still has for the host.
    return { trusted: false, why: sameType.length ? 'changed' : 'unknown' };
  }

  /** Trusts `blob` for the host from now on, replacing any key accepted for it here before. */
  accept(host: string, port: number, blob: Buffer): void {
    const name = hostEntryName(host, port);
    const kept = readLines(this.acceptedFile).filter((line) => line.split(/\s+/)[0] !== name);
    const { type } = presentedKey(blob);
    kept.push(`${name} ${type} ${blob.toString('base64')}`);
    mkdirSync(path.dirname(this.acceptedFile), { recursive: true, mode: 0o700 });
    const temporary = `${this.acceptedFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${kept.join('\n')}\n`, { mode: 0o600 });
    renameSync(temporary, this.acceptedFile);
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim() && !line.trimStart().startsWith('#'));
  } catch {
    return [];
  }
}

function readEntries(file: string): Entry[] {
  const entries: Entry[] = [];
  for (const line of readLines(file)) {
    const fields = line.trim().split(/\s+/);
    const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? (fields.shift() as Entry['marker']) : '';
    const [hosts, , key] = fields;
    if (!hosts || !key || !/^[A-Za-z0-9+/]+=*$/.test(key)) continue; // a line OpenSSH would skip too
    entries.push({ marker, matches: hostMatcher(hosts), blob: Buffer.from(key, 'base64') });
  }
  return entries;
}

/** known_hosts' host field: a hashed name (`|1|salt|hash`), or patterns with `*`, `?` and `!` negation. */
function hostMatcher(field: string): (name: string) => boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    const expected = Buffer.from(hash ?? '', 'base64');
    return (name) => {
      const actual = createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(name).digest();
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    };
  }
  const patterns = field.split(',').map((p) => ({ negated: p.startsWith('!'), re: wildcard(p.replace(/^!/, '')) }));
  return (name) => {
    const lower = name.toLowerCase();
    if (patterns.some((p) => p.negated && p.re.test(lower))) return false;
    return patterns.some((p) => !p.negated && p.re.test(lower));
  };
}

function wildcard(pattern: string): RegExp {
  const body = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
