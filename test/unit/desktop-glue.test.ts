import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TransferResponse } from '../../electron/services/files/files';
import { appProtocolHandler } from '../../electron/app-protocol';
import { appMenuTemplate } from '../../electron/menu';
import { SafeStorageSecretStore, type Encryptor } from '../../electron/services/secrets/safe-storage-secrets';

const roles = (template: ReturnType<typeof appMenuTemplate>): string[] =>
  template.flatMap((item) => [item.role as string, ...((item.submenu as { role?: string }[] | undefined) ?? []).map((i) => i.role as string)]).filter(Boolean);

describe('the application menu', () => {
  it('offers no DevTools or reload outside development', () => {
    expect(roles(appMenuTemplate(false))).not.toEqual(expect.arrayContaining(['toggleDevTools']));
    expect(roles(appMenuTemplate(false)).filter((r) => /devtools|reload/i.test(r))).toEqual([]);
  });

  it('has them while developing', () => {
    expect(roles(appMenuTemplate(true))).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
  });
});

describe('the app:// protocol', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-renderer-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>panel</title>');
  writeFileSync(path.join(dir, 'assets', 'index.js'), 'console.log(1)');
  writeFileSync(path.join(dir, '..', 'outside.txt'), 'secret');
  const transfers: { method: string; pathname: string; contentLength: number | null; body: string }[] = [];
  const serve = appProtocolHandler(dir, async (request): Promise<TransferResponse> => {
    let body = '';
    if (request.body) for await (const chunk of request.body) body += Buffer.from(chunk).toString();
    transfers.push({ ...request, body });
    async function* bytes() {
      yield Buffer.from('first half, ');
      yield Buffer.from('second half');
    }
    return request.method === 'PUT' ? { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"placed":true}' } : { status: 200, headers: { 'Content-Disposition': 'attachment' }, body: bytes() };
  });

  it('serves the renderer with the panel\'s Content-Security-Policy', async () => {
    const res = await serve(new Request('app://panel/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(await (await serve(new Request('app://panel/assets/index.js'))).text()).toBe('console.log(1)');
  });

  it('streams uploads and downloads of Files on the panel\'s own origin', async () => {
    const up = await serve(new Request('app://panel/transfer/abc', { method: 'PUT', body: 'scene bytes', headers: { 'Content-Length': '11' }, duplex: 'half' } as RequestInit));
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ placed: true });
    expect(transfers.at(-1)).toEqual({ method: 'PUT', pathname: '/transfer/abc', contentLength: 11, body: 'scene bytes' });
    const down = await serve(new Request('app://panel/transfer/def'));
    expect(down.headers.get('content-disposition')).toBe('attachment');
    expect(down.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await down.text()).toBe('first half, second half');
    expect((await serve(new Request('app://other/transfer/abc'))).status).toBe(404);
  });

  it.each([
    ['app://panel/../outside.txt'],
    ['app://panel/%2e%2e/outside.txt'],
    ['app://panel/assets/..%2f..%2foutside.txt'],
    ['app://other/index.html'],
    ['app://panel/missing.js'],
  ])('gives nothing for %s', async (url) => {
    const res = await serve(new Request(url));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('secret');
  });
});

/** An encryptor like safeStorage's: reversible, never the plain text. */
function encryptor(backend = 'gnome_libsecret', available = true): Encryptor {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => Buffer.from(s.split('').reverse().join('') + '#sealed'),
    decryptString: (b) => b.toString().replace(/#sealed$/, '').split('').reverse().join(''),
  };
}

describe('integration keys in the desktop app', () => {
  it('keeps values only sealed, in a file only the owner can read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-secrets-'));
    const store = new SafeStorageSecretStore(encryptor(), dir);
    await store.set('ns/u1/ANTHROPIC_API_KEY', 'sk-very-secret');
    expect(await store.get('ns/u1/ANTHROPIC_API_KEY')).toBe('sk-very-secret');
    expect(await store.accounts()).toEqual(['ns/u1/ANTHROPIC_API_KEY']);
    const file = path.join(dir, 'secrets.json');
    expect(readFileSync(file, 'utf8')).not.toContain('sk-very-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.delete('ns/u1/ANTHROPIC_API_KEY')).toBe(true);
    expect(await store.get('ns/u1/ANTHROPIC_API_KEY')).toBeNull();
  });

  it.each([
    ['basic_text', true],
    ['gnome_libsecret', false],
  ])('refuses to store a key when the backend is %s (available: %s), and writes nothing', async (backend, available) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-secrets-'));
    const store = new SafeStorageSecretStore(encryptor(backend, available), dir);
    await expect(store.set('ns/u1/KEY', 'value')).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message: expect.stringContaining('never written to a plain file'),
    });
    expect(() => statSync(path.join(dir, 'secrets.json'))).toThrow();
  });

  it('reports a damaged key file instead of losing it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-secrets-'));
    writeFileSync(path.join(dir, 'secrets.json'), '{"a": 1');
    const store = new SafeStorageSecretStore(encryptor(), dir);
    await expect(store.accounts()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await expect(store.set('x', 'y')).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toBe('{"a": 1');
  });
});
