import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CredentialService, KeytarSecretStore } from '../../electron/services/secrets/credentials';

// Integration keys in a real Secret Service (gnome-keyring in a private D-Bus session; npm test
// runs the suite inside scripts/with-keyring.sh).
const namespace = `test-${randomBytes(4).toString('hex')}`;
const store = new KeytarSecretStore('Blender Lab (tests)');
const credentials = new CredentialService(store, namespace);

afterAll(async () => {
  for (const account of await store.accounts()) if (account.startsWith(`${namespace}/`)) await store.delete(account);
});

describe('integration keys', () => {
  it('lists the known keys as not set for a new user', async () => {
    expect(await credentials.list('u-new')).toEqual([
      { name: 'SKETCHFAB_API_KEY', label: 'Sketchfab', set: false },
      { name: 'HYPER3D_API_KEY', label: 'Hyper3D Rodin', set: false },
      { name: 'HUNYUAN3D_SECRET_ID', label: 'Hunyuan3D (Tencent Cloud SecretId)', set: false },
      { name: 'HUNYUAN3D_SECRET_KEY', label: 'Hunyuan3D (Tencent Cloud SecretKey)', set: false },
      { name: 'ANTHROPIC_API_KEY', label: 'Anthropic', set: false },
    ]);
  });

  it('stores keys per user, reports only set/not set, and gives values to that user alone', async () => {
    await credentials.set('ada', 'ANTHROPIC_API_KEY', 'sk-ada-123');
    await credentials.set('ada', 'MY_RENDER_FARM', 'farm-token');
    await credentials.set('bob', 'SKETCHFAB_API_KEY', 'sf-bob');
    const listed = await credentials.list('ada');
    expect(listed.filter((c) => c.set).map((c) => c.name)).toEqual(['ANTHROPIC_API_KEY', 'MY_RENDER_FARM']);
    expect(JSON.stringify(listed)).not.toContain('sk-ada-123');
    expect(await credentials.environmentFor('ada')).toEqual({ ANTHROPIC_API_KEY: 'sk-ada-123', MY_RENDER_FARM: 'farm-token' });
    expect(await credentials.environmentFor('bob')).toEqual({ SKETCHFAB_API_KEY: 'sf-bob' });
  });

  it('clears one key, then all of a user', async () => {
    await credentials.set('carol', 'HYPER3D_API_KEY', 'h3d');
    await credentials.set('carol', 'ANTHROPIC_API_KEY', 'sk');
    await credentials.clear('carol', 'HYPER3D_API_KEY');
    expect(await credentials.environmentFor('carol')).toEqual({ ANTHROPIC_API_KEY: 'sk' });
    await credentials.clearAll('carol');
    expect(await credentials.environmentFor('carol')).toEqual({});
  });

  it.each([
    ['lower_case', 'x', 'Key name must be 2–64 characters of A–Z, 0–9 and _, starting with a letter'],
    ['BLENDER_LAB_SECRET', 'x', 'Key names starting with BLENDER_LAB_ are reserved'],
    ['ANTHROPIC_API_KEY', '', 'Key value must not be empty'],
    ['ANTHROPIC_API_KEY', 'line\nbreak', 'Key value must not contain line breaks or control characters'],
    ['ANTHROPIC_API_KEY', 'x'.repeat(8193), 'Key value must be at most 8192 characters'],
  ])('refuses %s = %j with "%s"', async (name, value, message) => {
    await expect(credentials.set('dave', name, value)).rejects.toMatchObject({ code: 'INVALID_INPUT', message });
    expect(await credentials.environmentFor('dave')).toEqual({});
  });

  it('never writes a value to a file under the home or temp directories', async () => {
    const marker = `sk-marker-${randomBytes(6).toString('hex')}`;
    await credentials.set('erin', 'ANTHROPIC_API_KEY', marker);
    const found = [os.tmpdir(), process.cwd()].flatMap((dir) => filesContaining(dir, marker, 3));
    expect(found).toEqual([]);
  });
});

describe('when the keychain cannot be used', () => {
  const probe = (command: string[], env: NodeJS.ProcessEnv) =>
    JSON.parse(execFileSync(command[0]!, command.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' }).trim().split('\n').pop()!);
  const script = path.resolve('test/support/keychain-probe.ts');

  it('says the keychain is unavailable when there is no D-Bus session', () => {
    const result = probe([process.execPath, '--import', 'tsx', script], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' });
    expect(result.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(result.message).toMatch(/^The system keychain \(Secret Service\) is not available: .+never written to a plain file\.$/);
  });
});

function filesContaining(dir: string, needle: string, depth: number): string[] {
  if (depth < 0) return [];
  const hits: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return hits;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === '.git') continue;
    const full = path.join(dir, name);
    try {
      const st = statSync(full);
      if (st.isDirectory()) hits.push(...filesContaining(full, needle, depth - 1));
      else if (st.isFile() && st.size < 1024 * 1024 && readFileSync(full, 'latin1').includes(needle)) hits.push(full);
    } catch {
      // unreadable entries are not ours
    }
  }
  return hits;
}
