import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../electron/services/accounts/accounts';
import { accountsFileSchema, type AccountsFile } from '../../electron/services/accounts/accounts-file';
import { FileStore, MemoryStore } from '../../electron/services/storage/document-store';
import { hashPassword, verifyPassword } from '../../electron/services/accounts/password';

// A cheap scrypt cost keeps these tests quick; the production cost has its own test below.
const cost = { N: 2 ** 10, r: 8, p: 1 };

class TestClock {
  now = new Date('2026-11-25T10:00:00Z');
  read = () => new Date(this.now);
  advance(seconds: number) {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}

let clock: TestClock;
let store: MemoryStore<AccountsFile>;
let signUp: boolean;
let accounts: AccountService;

beforeEach(() => {
  clock = new TestClock();
  store = new MemoryStore<AccountsFile>({ version: 1, users: [] });
  signUp = true;
  accounts = new AccountService({ store, signUpAllowed: () => signUp, clock: clock.read, cost });
});

const pw = 'correct horse';

describe('creating accounts', () => {
  it('makes the first account an admin and later ones users', async () => {
    expect((await accounts.createAccount({ username: 'Ada', password: pw })).role).toBe('admin');
    expect((await accounts.createAccount({ username: 'Bob', password: pw })).role).toBe('user');
  });

  it('trims names and treats them case-insensitively', async () => {
    const ada = await accounts.createAccount({ username: '  Ada  ', password: pw });
    expect(ada.username).toBe('Ada');
    await expect(accounts.createAccount({ username: 'ADA', password: pw })).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      message: 'The username ADA is taken',
    });
  });

  it.each([
    ['', 'Username is required'],
    ['    ', 'Username cannot be only spaces'],
    ['a'.repeat(33), 'Username must be at most 32 characters'],
    ['bad\nname', 'Username must not contain control characters'],
    ['tab\tname', 'Username must not contain control characters'],
    [42, 'Username must be text'],
    ['ada\u200b', 'Username must not contain invisible characters (zero-width or text-direction marks)'],
    ['\u202eadmin', 'Username must not contain invisible characters (zero-width or text-direction marks)'],
    ['bo\u2066b\u2069', 'Username must not contain invisible characters (zero-width or text-direction marks)'],
    ['ad\u00ada', 'Username must not contain invisible characters (zero-width or text-direction marks)'],
    ['a\ufeffda', 'Username must not contain invisible characters (zero-width or text-direction marks)'],
  ])('rejects the username %j with "%s"', async (username, message) => {
    await expect(accounts.createAccount({ username, password: pw })).rejects.toMatchObject({ code: 'INVALID_INPUT', message });
    expect(accounts.listUsers()).toEqual([]);
  });

  it('stores names in NFC, so a decomposed é is the same name as a composed one', async () => {
    const zoe = await accounts.createAccount({ username: 'Zoe\u0301', password: pw });
    expect(zoe.username).toBe('Zo\u00e9');
    await expect(accounts.createAccount({ username: 'zo\u00e9', password: pw })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect((await accounts.signIn('ZOE\u0301', pw)).user.id).toBe(zoe.id);
  });

  it('accepts 32 characters, including non-Latin ones', async () => {
    expect((await accounts.createAccount({ username: 'ü'.repeat(32), password: pw })).username).toHaveLength(32);
    expect((await accounts.createAccount({ username: 'Zoë Ōkubo', password: pw })).username).toBe('Zoë Ōkubo');
  });

  it('rejects a short password', async () => {
    await expect(accounts.createAccount({ username: 'ada', password: 'short' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Password must be at least 8 characters',
    });
  });

  it('refuses self sign-up when an admin turned it off, but still lets an admin create accounts', async () => {
    const admin = await accounts.createAccount({ username: 'admin', password: pw });
    signUp = false;
    await expect(accounts.createAccount({ username: 'eve', password: pw })).rejects.toMatchObject({ code: 'SIGN_UP_CLOSED' });
    expect((await accounts.createAccount({ username: 'carol', password: pw, role: 'admin' }, admin)).role).toBe('admin');
  });

  it('lets the very first account be created even with sign-up off', async () => {
    signUp = false;
    expect((await accounts.createAccount({ username: 'first', password: pw })).role).toBe('admin');
  });

  it('does not let a plain user create accounts for others', async () => {
    await accounts.createAccount({ username: 'admin', password: pw });
    const bob = await accounts.createAccount({ username: 'bob', password: pw });
    await expect(accounts.createAccount({ username: 'x', password: pw }, bob)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('never exposes the hash', async () => {
    const ada = await accounts.createAccount({ username: 'ada', password: pw });
    expect(JSON.stringify(ada)).not.toContain('hash');
    expect(JSON.stringify(accounts.listUsers())).not.toContain('salt');
  });
});

describe('signing in', () => {
  beforeEach(async () => {
    await accounts.createAccount({ username: 'ada', password: pw });
  });

  it('returns an opaque token that identifies the user until sign-out', async () => {
    const { token, user } = await accounts.signIn('ADA ', pw);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(accounts.authenticate(token).id).toBe(user.id);
    expect(accounts.getUser(user.id)?.lastLoginAt).toBe(clock.now.toISOString());
    accounts.signOut(token);
    expect(() => accounts.authenticate(token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
  });

  it('gives the same error for a wrong password and an unknown user', async () => {
    const wrong = await accounts.signIn('ada', 'wrong password').catch((e) => e);
    const unknown = await accounts.signIn('nobody', pw).catch((e) => e);
    expect(wrong.toData()).toEqual({ code: 'AUTH_FAILED', message: 'Wrong username or password' });
    expect(unknown.toData()).toEqual(wrong.toData());
  });

  it('locks an account after 5 failures, for longer each time', async () => {
    for (let i = 0; i < 5; i++) await expect(accounts.signIn('ada', 'nope nope')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    // Locked: even the right password is refused for 30 s.
    await expect(accounts.signIn('ada', pw)).rejects.toMatchObject({ code: 'LOCKED_OUT', message: 'Too many failed sign-ins. Try again in 30 s.' });
    clock.advance(31);
    for (let i = 0; i < 5; i++) await expect(accounts.signIn('ada', 'nope nope')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(accounts.signIn('ada', pw)).rejects.toMatchObject({ message: 'Too many failed sign-ins. Try again in 60 s.' });
    clock.advance(61);
    expect((await accounts.signIn('ada', pw)).user.username).toBe('ada');
    // Success resets the count.
    for (let i = 0; i < 4; i++) await expect(accounts.signIn('ada', 'nope nope')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await accounts.signIn('ada', pw)).user.username).toBe('ada');
  });

  it('locks unknown names out the same way, so lock-out does not reveal who exists', async () => {
    for (let i = 0; i < 5; i++) await expect(accounts.signIn('ghost', 'nope nope')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(accounts.signIn('ghost', 'nope nope')).rejects.toMatchObject({ code: 'LOCKED_OUT' });
  });

  it('refuses a disabled account with the ordinary error and ends its sign-ins', async () => {
    const bob = await accounts.createAccount({ username: 'bob', password: pw });
    const { token } = await accounts.signIn('bob', pw);
    const revoked: string[] = [];
    accounts.revoked.on(({ user: u, reason }) => revoked.push(`${u.username}:${reason}`));
    accounts.setDisabled(bob.id, true);
    expect(revoked).toEqual(['bob:disabled']);
    expect(() => accounts.authenticate(token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
    await expect(accounts.signIn('bob', pw)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('treats non-string input as a failed sign-in', async () => {
    await expect(accounts.signIn({ $ne: null }, pw)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(accounts.signIn('ada', null)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(() => accounts.authenticate(undefined)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
  });

  it('forgets every token when the service is rebuilt (a restart of the panel)', async () => {
    const { token } = await accounts.signIn('ada', pw);
    const restarted = new AccountService({ store, signUpAllowed: () => true, clock: clock.read, cost });
    expect(() => restarted.authenticate(token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
  });
});

describe('managing accounts', () => {
  it('changes a password only with the current one', async () => {
    const ada = await accounts.createAccount({ username: 'ada', password: pw });
    await expect(accounts.changePassword(ada, 'not it', 'new password 1')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await accounts.changePassword(ada, pw, 'new password 1');
    await expect(accounts.signIn('ada', pw)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await accounts.signIn('ada', 'new password 1')).user.id).toBe(ada.id);
  });

  it('resets a password, lifts a lock-out and ends existing sign-ins', async () => {
    await accounts.createAccount({ username: 'admin', password: pw });
    const bob = await accounts.createAccount({ username: 'bob', password: pw });
    const { token } = await accounts.signIn('bob', pw);
    for (let i = 0; i < 5; i++) await accounts.signIn('bob', 'nope nope').catch(() => {});
    await accounts.resetPassword(bob.id, 'fresh password');
    expect(() => accounts.authenticate(token)).toThrow();
    expect((await accounts.signIn('bob', 'fresh password')).user.id).toBe(bob.id);
  });

  it('sets roles and deletes users, but always keeps one admin', async () => {
    const admin = await accounts.createAccount({ username: 'admin', password: pw });
    const bob = await accounts.createAccount({ username: 'bob', password: pw });
    await expect(Promise.resolve().then(() => accounts.setRole(admin.id, 'user'))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(() => accounts.deleteUser(admin.id)).toThrow(/only administrator/);
    expect(() => accounts.setDisabled(admin.id, true)).toThrow(/only administrator/);
    expect(() => accounts.setRole(bob.id, 'root')).toThrow("Role must be 'admin' or 'user'");
    expect(accounts.setRole(bob.id, 'admin').role).toBe('admin');
    expect(accounts.setRole(admin.id, 'user').role).toBe('user');
    accounts.deleteUser(admin.id);
    expect(accounts.listUsers().map((u) => u.username)).toEqual(['bob']);
    expect(() => accounts.deleteUser('0000000000')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('password hashing', () => {
  it('uses scrypt N=2^17, r=8, p=1 with a 16-byte random salt by default', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatchObject({ algorithm: 'scrypt', N: 131072, r: 8, p: 1 });
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same passwore', a)).toBe(false);
  });
});

describe('the accounts file', () => {
  it('keeps accounts across restarts, readable only by the owner', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-accounts-'));
    const file = new FileStore(dir, 'accounts', accountsFileSchema);
    const first = new AccountService({ store: file, signUpAllowed: () => true, cost });
    await first.createAccount({ username: 'ada', password: pw });
    const again = new AccountService({ store: new FileStore(dir, 'accounts', accountsFileSchema), signUpAllowed: () => true, cost });
    expect((await again.signIn('ada', pw)).user.role).toBe('admin');
    const { mode } = await import('node:fs').then((fs) => fs.statSync(file.path));
    expect(mode & 0o777).toBe(0o600);
  });

  it('backs up a corrupt file beside itself and reports it, without wiping it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-accounts-'));
    const damaged = '{"version":1,"users":[{"id":"abc"';
    await writeFile(path.join(dir, 'accounts.json'), damaged);
    let error: unknown;
    try {
      new FileStore(dir, 'accounts', accountsFileSchema);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', message: "The panel's accounts file is damaged (it is not valid JSON). A copy of it was kept beside it. An operator can repair or remove it and restart the panel; where it is, is in the panel's log." });
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith('accounts.json.corrupt-'))).toHaveLength(1);
    expect(await readFile(path.join(dir, 'accounts.json'), 'utf8')).toBe(damaged);
  });

  it('damaged while the panel runs: copied aside once, however often it is read, and its place told to the log only', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-accounts-'));
    const accounts = new AccountService({ store: new FileStore(dir, 'accounts', accountsFileSchema), signUpAllowed: () => true, cost });
    await accounts.createAccount({ username: 'ada', password: pw });
    await writeFile(path.join(dir, 'accounts.json'), '{"version":1,"users":[');
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => logged.push(line);
    try {
      for (let i = 0; i < 5; i++) {
        // Anyone at the sign-in screen can make the panel read the file.
        const failure = await accounts.signIn('ada', pw).then(() => null, (e: Error) => e);
        expect(failure).toMatchObject({ code: 'STORE_CORRUPT' });
        expect(failure!.message).not.toContain(dir);
      }
    } finally {
      console.error = original;
    }
    expect((await readdir(dir)).filter((f) => f.startsWith('accounts.json.corrupt-'))).toHaveLength(1);
    expect(logged).toEqual([expect.stringContaining(path.join(dir, 'accounts.json'))]);
  });

  it('reports a file that parses but does not fit the schema', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-accounts-'));
    await writeFile(path.join(dir, 'accounts.json'), JSON.stringify({ version: 1, users: [{ id: 'x', username: 'ada' }] }));
    expect(() => new FileStore(dir, 'accounts', accountsFileSchema)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });
});
