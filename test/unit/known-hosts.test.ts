import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnownHosts, presentedKey } from '../../electron/services/engine/ssh/known-hosts';
import { parseSshEndpoint } from '../../electron/services/engine/ssh/ssh-link';

/** A public key blob as a server sends it: a length-prefixed type, then key bytes. */
function keyBlob(type = 'ssh-ed25519'): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, randomBytes(36)]);
}
const line = (hosts: string, blob: Buffer) => `${hosts} ${presentedKey(blob).type} ${blob.toString('base64')}`;
function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

function setup(lines: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-known-hosts-'));
  const own = path.join(dir, 'known_hosts');
  writeFileSync(own, `# a comment\n\n${lines.join('\n')}\ngarbage line\n`);
  return { hosts: new KnownHosts([own, path.join(dir, 'missing')], path.join(dir, 'panel', 'known_hosts')), dir };
}

describe('known hosts', () => {
  const server = keyBlob();
  const other = keyBlob();

  it('trusts a key listed for the host, by name, on its port, hashed, or by wildcard', () => {
    const { hosts } = setup([line('gpu,10.0.0.5', server), line('[build]:2222', server), line(hashed('[render]:2200'), server), line('*.lab.example,!bad.lab.example', server)]);
    expect(hosts.check('gpu', 22, server)).toEqual({ trusted: true });
    expect(hosts.check('10.0.0.5', 22, server)).toEqual({ trusted: true });
    expect(hosts.check('build', 2222, server)).toEqual({ trusted: true });
    expect(hosts.check('render', 2200, server)).toEqual({ trusted: true });
    expect(hosts.check('node7.lab.example', 22, server)).toEqual({ trusted: true });
    // The same name on another port is another host.
    expect(hosts.check('build', 22, server)).toEqual({ trusted: false, why: 'unknown' });
    expect(hosts.check('bad.lab.example', 22, server)).toEqual({ trusted: false, why: 'unknown' });
  });

  it('calls a key that differs from the listed one changed, and a revoked key revoked', () => {
    const { hosts } = setup([line('gpu', server), `@revoked ${line('*', other)}`]);
    expect(hosts.check('gpu', 22, keyBlob())).toEqual({ trusted: false, why: 'changed' });
    expect(hosts.check('gpu', 22, other)).toEqual({ trusted: false, why: 'revoked' });
    expect(hosts.check('elsewhere', 22, keyBlob())).toEqual({ trusted: false, why: 'unknown' });
  });

  it('calls a key of a type the host has no entry for unknown, not changed', () => {
    // A file made when the server offered ECDSA; the handshake now settles on ed25519.
    const ecdsa = keyBlob('ecdsa-sha2-nistp256');
    const { hosts } = setup([line('gpu', ecdsa)]);
    expect(hosts.check('gpu', 22, keyBlob('ssh-ed25519'))).toEqual({ trusted: false, why: 'unknown' });
    expect(hosts.check('gpu', 22, keyBlob('ecdsa-sha2-nistp256'))).toEqual({ trusted: false, why: 'changed' });
    expect(hosts.check('gpu', 22, ecdsa)).toEqual({ trusted: true });
  });

  it('keeps accepted keys in its own file, replacing the host\'s earlier one, and never touches the person\'s', () => {
    const { hosts, dir } = setup([line('gpu', server)]);
    const before = readFileSync(path.join(dir, 'known_hosts'), 'utf8');
    const reinstalled = keyBlob();
    hosts.accept('gpu', 22, reinstalled);
    expect(hosts.check('gpu', 22, reinstalled)).toEqual({ trusted: true });
    const again = keyBlob('ecdsa-sha2-nistp256');
    hosts.accept('gpu', 22, again);
    expect(hosts.check('gpu', 22, reinstalled)).toEqual({ trusted: false, why: 'changed' });
    expect(hosts.check('gpu', 22, again)).toEqual({ trusted: true });
    const accepted = path.join(dir, 'panel', 'known_hosts');
    expect(readFileSync(accepted, 'utf8')).toBe(`${line('gpu', again)}\n`);
    expect(statSync(accepted).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'known_hosts'), 'utf8')).toBe(before);
  });

  it('prints fingerprints as ssh-keygen -lf does', () => {
    const { dir } = setup([]);
    const key = path.join(dir, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', key]);
    const [type, base64] = readFileSync(`${key}.pub`, 'utf8').split(' ');
    const presented = presentedKey(Buffer.from(base64!, 'base64'));
    expect(presented.type).toBe(type);
    expect(presented.fingerprint).toBe(execFileSync('ssh-keygen', ['-lf', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]);
  });
});

describe('ssh:// endpoints', () => {
  it.each([
    ['ssh://lab@gpu-server', { host: 'gpu-server', port: 22, username: 'lab' }],
    ['ssh://lab@10.0.0.5:2222', { host: '10.0.0.5', port: 2222, username: 'lab' }],
    ['ssh://lab@[fd00::5]:2200', { host: 'fd00::5', port: 2200, username: 'lab' }],
    ['ssh://gpu-server', { host: 'gpu-server', port: 22, username: os.userInfo().username }],
  ])('reads %s', (endpoint, expected) => {
    expect(parseSshEndpoint(endpoint)).toEqual(expected);
  });
});
