import { FileService } from '../../electron/services/files/files';
import { describe, expect, it, vi } from 'vitest';
import { AccountService } from '../../electron/services/accounts/accounts';
import type { AccountsFile } from '../../electron/services/accounts/accounts-file';
import { ApiServer, toErrorData } from '../../electron/services/api/api-server';
import { ClipboardGuard, clipboardDigest } from '../../electron/services/api/clipboard-guard';
import type { CredentialService } from '../../electron/services/secrets/credentials';
import { MemoryStore } from '../../electron/services/storage/document-store';
import { McpTokenService, type McpTokensFile } from '../../electron/services/accounts/mcp-tokens';
import { Engine } from '../../electron/services/engine/engine';
import { PortAllocator } from '../../electron/services/sessions/ports';
import { EngineControl } from '../../electron/services/sessions/engine-control';
import { SessionManager } from '../../electron/services/sessions/sessions';
import { SettingsService } from '../../electron/services/settings/settings';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings';
import { assetServices } from '../../electron/services/assets/asset-services';

// What each bad call gets from the API, before anything reaches Docker (none is needed here).
function api(clipboard?: ClipboardGuard) {
  const settings = new SettingsService(new MemoryStore<Settings>(DEFAULT_SETTINGS));
  const accounts = new AccountService({ store: new MemoryStore<AccountsFile>({ version: 1, users: [] }), signUpAllowed: () => true, cost: { N: 1024, r: 8, p: 1 } });
  const engine = Engine.connect('unix:///nonexistent/docker.sock');
  const sessions = new SessionManager({
    engine,
    settings: () => settings.get(),
    ports: new PortAllocator(() => settings.get()),
    credentials: null,
    instance: 'unit',
    imageSource: null,
    log: () => {},
  });
  const events: unknown[] = [];
  const mcpTokens = new McpTokenService(new MemoryStore<McpTokensFile>({ version: 1, tokens: [] }), (id) => accounts.getUser(id)?.username ?? null);
  const files = new FileService({ engine, sessions, settings: () => settings.get() });
  const server = new ApiServer({ accounts, sessions, settings, credentials: {} as CredentialService, files, mcpTokens, engine: new EngineControl({ engine, sessions, connect: () => engine, report: () => {} }, ''), ...assetServices({ engine, instance: 'unit', settings: () => settings.get(), blender: sessions, keysOf: async () => ({}), home: files }), mcpUrl: () => null, clipboard });
  return { connection: server.connect((event, payload) => events.push([event, payload])), events, server, accounts, sessions, mcpTokens };
}

describe('the API', () => {
  it.each([
    ['no.such.method', {}, 'INVALID_INPUT', 'Unknown method "no.such.method"'],
    [42, {}, 'INVALID_INPUT', 'Unknown method 42'],
    ['__proto__', {}, 'INVALID_INPUT', 'Unknown method "__proto__"'],
    ['auth.signIn', { username: 'ada' }, 'INVALID_INPUT', 'auth.signIn: password: Invalid input: expected string, received undefined'],
    ['auth.signIn', { username: 'ada', password: 'x', extra: 1 }, 'INVALID_INPUT', 'auth.signIn: unknown setting extra'],
    ['auth.signUp', { username: 'a'.repeat(300), password: 'long enough' }, 'INVALID_INPUT', 'auth.signUp: username: must be at most 256 characters'],
    ['blender.run', { code: 'print(1)' }, 'NOT_SIGNED_IN', 'You are not signed in'],
    ['admin.stopSession', { userId: '../../etc' }, 'INVALID_INPUT', 'admin.stopSession: userId: must be a user id'],
    ['blender.screenshot', { maxSize: 99999 }, 'INVALID_INPUT', 'blender.screenshot: maxSize: Too big: expected number to be <=4096'],
  ])('%j with %j gets %s: %s', async (method, input, code, message) => {
    const { connection } = api();
    expect(await connection.call(method, input)).toEqual({ ok: false, error: { code, message } });
  });

  it('keeps the sign-in token in main: the reply carries the user, not the token', async () => {
    const { connection } = api();
    expect((await connection.call('auth.signUp', { username: 'ada', password: 'ada password' })).ok).toBe(true);
    const reply = await connection.call('auth.whoAmI', {});
    expect(reply).toEqual({ ok: true, value: null });
    const signIn = await connection.call('auth.signIn', { username: 'ada', password: 'ada password' });
    // No Docker here, so the start fails — but the person is signed in and told why.
    expect(signIn.ok).toBe(true);
    const value = (signIn as { value: { user: { username: string }; session: { state: string; reason: string } } }).value;
    expect(value.user.username).toBe('ada');
    expect(value.session.state).toBe('failed');
    expect(value.session.reason).toMatch(/Docker is not running/);
    expect(JSON.stringify(signIn)).not.toMatch(/token/i);
    expect(connection.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(((await connection.call('auth.whoAmI', {})) as { value: { role: string } }).value.role).toBe('admin');
  });

  it('refuses admin methods to a plain user', async () => {
    const first = api();
    await first.connection.call('auth.signUp', { username: 'ada', password: 'ada password' });
    await first.connection.call('auth.signUp', { username: 'bob', password: 'bob password' });
    await first.connection.call('auth.signIn', { username: 'bob', password: 'bob password' });
    expect(await first.connection.call('admin.users', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Only an administrator can do that' } });
    expect(await first.connection.call('admin.updateSettings', { signUpAllowed: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('turns an unexpected failure into a plain INTERNAL message with no internals', () => {
    const original = console.error;
    console.error = () => {};
    try {
      expect(toErrorData(new TypeError("Cannot read properties of undefined (reading 'x') at /srv/secret/path.js"))).toEqual({
        code: 'INTERNAL',
        message: 'Something went wrong in the panel. The details are in its log.',
      });
    } finally {
      console.error = original;
    }
  });
});

describe('sign-ins over a connection', () => {
  async function signedIn() {
    const a = api();
    await a.connection.call('auth.signUp', { username: 'ada', password: 'ada password' });
    await a.connection.call('auth.signUp', { username: 'bob', password: 'bob password' });
    await a.connection.call('auth.signIn', { username: 'bob', password: 'bob password' });
    return a;
  }

  it('a closed window or tab ends the sign-in it held', async () => {
    const { connection, accounts } = await signedIn();
    const token = connection.token!;
    connection.close();
    expect(() => accounts.authenticate(token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
  });

  it('tells the window when its sign-in ends, and the next call is refused', async () => {
    const { connection, events, accounts } = await signedIn();
    const bob = accounts.listUsers().find((u) => u.username === 'bob')!;
    await accounts.resetPassword(bob.id, 'new password 1');
    expect(events).toContainEqual(['signIn.ended', { reason: 'password-changed', message: 'You were signed out because the password was changed. Sign in with the new password.' }]);
    expect(connection.token).toBeNull();
    expect(await connection.call('blender.sceneInfo', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('ends a person\'s sign-ins when their Blender is stopped for idleness, not for other stops', async () => {
    const { connection, events, sessions } = await signedIn();
    const bobId = (await connection.call('auth.whoAmI', {}) as { value: { id: string } }).value.id;
    sessions.stopped.emit({ userId: bobId, why: 'admin' });
    expect(connection.token).not.toBeNull();
    sessions.stopped.emit({ userId: bobId, why: 'idle' });
    expect(connection.token).toBeNull();
    expect(events).toContainEqual(['signIn.ended', expect.objectContaining({ reason: 'blender-idle' })]);
  });

  it('a locked screen signs everyone out of the window', async () => {
    const { connection, events, server } = await signedIn();
    server.endAllSignIns('locked');
    expect(connection.token).toBeNull();
    expect(events).toContainEqual(['signIn.ended', expect.objectContaining({ reason: 'locked' })]);
  });

  it('the administrators\' stop is for administrators only, even on one\'s own session: a person has session.stop', async () => {
    const { connection } = await signedIn();
    const own = ((await connection.call('auth.whoAmI', {})) as { value: { id: string } }).value.id;
    for (const userId of ['a1a1a1a1a1', own]) {
      expect(await connection.call('admin.stopSession', { userId })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Only an administrator can do that' } });
    }
    expect(await connection.call('session.stop', {})).toMatchObject({ ok: true });
  });

  it('a person\'s own password change keeps the window that made it and ends their others, at once', async () => {
    const { connection, server, accounts, mcpTokens } = await signedIn();
    const otherEvents: unknown[] = [];
    const other = server.connect((event, payload) => otherEvents.push([event, payload]));
    await other.call('auth.signIn', { username: 'bob', password: 'bob password' });
    const bob = accounts.listUsers().find((u) => u.username === 'bob')!;
    mcpTokens.create(bob.id, 'Cursor');
    const reply = await connection.call('account.changePassword', { current: 'bob password', next: 'a new password' });
    expect(reply).toEqual({ ok: true, value: { tokensRevoked: 0 } });
    expect(await connection.call('auth.whoAmI', {})).toMatchObject({ ok: true, value: { username: 'bob' } });
    expect(other.token).toBeNull();
    expect(otherEvents).toContainEqual(['signIn.ended', expect.objectContaining({ reason: 'password-changed' })]);
    // The tokens stay unless the person asks for them to go.
    expect(mcpTokens.list(bob.id)).toHaveLength(1);
    expect(await connection.call('account.changePassword', { current: 'a new password', next: 'a third password', revokeTokens: true })).toEqual({ ok: true, value: { tokensRevoked: 1 } });
    expect(mcpTokens.list(bob.id)).toEqual([]);
  });
});

describe('AI-client tokens over a connection', () => {
  it('are made only with the password given again, and show their expiry', async () => {
    const { connection, accounts } = api();
    await connection.call('auth.signUp', { username: 'ada', password: 'ada password' });
    await connection.call('auth.signIn', { username: 'ada', password: 'ada password' });
    expect(await connection.call('mcpTokens.create', { name: 'Cursor' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('password') } });
    expect(await connection.call('mcpTokens.create', { name: 'Cursor', password: 'not it' })).toEqual({ ok: false, error: { code: 'AUTH_FAILED', message: 'The password is wrong' } });
    const made = await connection.call('mcpTokens.create', { name: 'Cursor', password: 'ada password' });
    expect(made.ok).toBe(true);
    const { createdAt, expiresAt } = (made as { value: { createdAt: string; expiresAt: string } }).value;
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(DEFAULT_SETTINGS.mcpTokenDays * 86_400_000);
    // Guessing through a window left signed in counts towards the lock-out, as at sign-in.
    for (let i = 0; i < 4; i++) await connection.call('mcpTokens.create', { name: 'Guess', password: `guess ${i}` });
    expect(await connection.call('mcpTokens.create', { name: 'Guess', password: 'ada password' })).toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
    expect(accounts.listUsers()).toHaveLength(1);
  });

  it('are revoked by an administrator\'s password reset or disabling', async () => {
    const { connection, accounts, mcpTokens } = api();
    await connection.call('auth.signUp', { username: 'ada', password: 'ada password' });
    const bob = (await accounts.createAccount({ username: 'bob', password: 'bob password' }));
    await connection.call('auth.signIn', { username: 'ada', password: 'ada password' });
    mcpTokens.create(bob.id, 'Cursor');
    await connection.call('admin.resetPassword', { userId: bob.id, password: 'reset password' });
    expect(mcpTokens.list(bob.id)).toEqual([]);
    const { token } = mcpTokens.create(bob.id, 'Claude Code');
    await connection.call('admin.setDisabled', { userId: bob.id, disabled: true });
    await connection.call('admin.setDisabled', { userId: bob.id, disabled: false });
    expect(mcpTokens.use(token)).toBeNull();
  });
});

describe('the seat\'s clipboard', () => {
  function seat(text: string) {
    const clipboard = { text, reads: 0, readText: async () => (clipboard.reads++, clipboard.text), clear: () => { clipboard.text = ''; } };
    return clipboard;
  }

  it.each([
    ['signs out', (a: ReturnType<typeof api>) => a.connection.call('auth.signOut', {})],
    ['is signed out by a locked screen', (a: ReturnType<typeof api>) => a.server.endAllSignIns('locked')],
    ['closes the window', (a: ReturnType<typeof api>) => a.connection.close()],
  ])('is cleared of what a person\'s Blender copied when that person %s', async (_what, end) => {
    const clipboard = seat('bobs copied text');
    const a = api(new ClipboardGuard(clipboard));
    await a.connection.call('auth.signUp', { username: 'bob', password: 'bob password' });
    await a.connection.call('auth.signIn', { username: 'bob', password: 'bob password' });
    expect(await a.connection.call('session.copiedFromBlender', { digest: clipboardDigest('bobs copied text') })).toEqual({ ok: true, value: null });
    await end(a);
    await vi.waitFor(() => expect(clipboard.text).toBe(''));
  });

  it('keeps text that did not come from that person\'s Blender', async () => {
    const clipboard = seat('bobs copied text');
    const a = api(new ClipboardGuard(clipboard));
    await a.connection.call('auth.signUp', { username: 'bob', password: 'bob password' });
    await a.connection.call('auth.signIn', { username: 'bob', password: 'bob password' });
    await a.connection.call('session.copiedFromBlender', { digest: clipboardDigest('bobs copied text') });
    clipboard.text = 'copied from a web page afterwards';
    await a.connection.call('auth.signOut', {});
    await vi.waitFor(() => expect(clipboard.reads).toBe(1));
    await new Promise((r) => setImmediate(r)); // what follows the read has run
    expect(clipboard.text).toBe('copied from a web page afterwards');
    expect(await a.connection.call('session.copiedFromBlender', { digest: 'not a digest' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
