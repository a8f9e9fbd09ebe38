import { beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../electron/services/accounts/accounts';
import type { AccountsFile } from '../../electron/services/accounts/accounts-file';
import { MemoryStore } from '../../electron/services/storage/document-store';
import type { Ended } from '../../electron/services/accounts/sign-ins';

// When a sign-in ends without the person pressing Sign out, and who is told.
const cost = { N: 2 ** 10, r: 8, p: 1 };
const pw = 'correct horse';

let now: number;
let limits: { idleMinutes: number; maxHours: number };
let accounts: AccountService;
let ended: Ended[];
let warned: { token: string; at: Date }[];

beforeEach(async () => {
  now = Date.parse('2026-11-25T10:00:00Z');
  limits = { idleMinutes: 15, maxHours: 12 };
  accounts = new AccountService({
    store: new MemoryStore<AccountsFile>({ version: 1, users: [] }),
    signUpAllowed: () => true,
    cost,
    clock: () => new Date(now),
    signInLimits: () => limits,
  });
  ended = [];
  warned = [];
  accounts.signIns.ended.on((e) => ended.push(e));
  accounts.signIns.expiring.on((w) => warned.push(w));
  await accounts.createAccount({ username: 'ada', password: pw });
  await accounts.createAccount({ username: 'bob', password: pw });
});

const minutes = (m: number) => { now += m * 60_000; };
const signedIn = (token: string) => { try { accounts.authenticate(token); return true; } catch { return false; } };

describe('an idle panel', () => {
  it('warns a minute before the idle limit, then ends the sign-in', async () => {
    const { token } = await accounts.signIn('ada', pw);
    minutes(13.9);
    accounts.signIns.sweep();
    expect(warned).toEqual([]);
    minutes(0.2);
    accounts.signIns.sweep();
    expect(warned).toEqual([{ token, at: new Date(Date.parse('2026-11-25T10:15:00Z')) }]);
    accounts.signIns.sweep();
    expect(warned).toHaveLength(1); // once per approach
    minutes(1);
    accounts.signIns.sweep();
    expect(ended).toEqual([{ token, userId: expect.any(String), reason: 'idle' }]);
    expect(signedIn(token)).toBe(false);
  });

  it('starts counting again when the person shows they are there', async () => {
    const { token } = await accounts.signIn('ada', pw);
    minutes(14.5);
    accounts.signIns.sweep();
    accounts.signIns.touch(token);
    minutes(14);
    accounts.signIns.sweep();
    expect(ended).toEqual([]);
    expect(signedIn(token)).toBe(true);
  });

  it('follows the signOutIdleMinutes setting', async () => {
    limits.idleMinutes = 5;
    const { token } = await accounts.signIn('ada', pw);
    minutes(5);
    expect(signedIn(token)).toBe(false);
    expect(ended.map((e) => e.reason)).toEqual(['idle']);
  });
});

describe('the longest sign-in', () => {
  it('ends after signInMaxHours however active the person is', async () => {
    const { token } = await accounts.signIn('ada', pw);
    for (let i = 0; i < 12 * 6 - 1; i++) {
      minutes(10);
      accounts.signIns.touch(token);
      accounts.signIns.sweep();
    }
    expect(signedIn(token)).toBe(true);
    minutes(10);
    accounts.signIns.sweep();
    expect(signedIn(token)).toBe(false);
    expect(ended.map((e) => e.reason)).toEqual(['lifetime']);
  });
});

describe('work done for a person', () => {
  it('is told to stop once they are signed in nowhere, not while another window of theirs still is', async () => {
    const a1 = await accounts.signIn('ada', pw);
    const a2 = await accounts.signIn('ada', pw);
    const gone = accounts.signIns.untilGone(a1.user.id);
    accounts.signOut(a1.token);
    expect(gone.aborted).toBe(false);
    accounts.signIns.end(a2.token, 'idle');
    expect(gone.aborted).toBe(true);
    expect(accounts.signIns.untilGone(a1.user.id).aborted).toBe(true); // nobody to serve from the start
  });
});

describe('changes to the person', () => {
  it('a changed password ends all their sign-ins, and nobody else\'s', async () => {
    const a1 = await accounts.signIn('ada', pw);
    const a2 = await accounts.signIn('ada', pw);
    const b = await accounts.signIn('bob', pw);
    await accounts.changePassword(a1.user, pw, 'a new password');
    expect([signedIn(a1.token), signedIn(a2.token), signedIn(b.token)]).toEqual([false, false, true]);
    expect(ended.map((e) => e.reason)).toEqual(['password-changed', 'password-changed']);
  });

  it('a reset password, a disabled and a deleted account each end every sign-in, with their reason', async () => {
    const bob = (await accounts.signIn('bob', pw)).user;
    await accounts.signIn('bob', pw);
    await accounts.resetPassword(bob.id, 'reset password 1');
    await accounts.signIn('bob', 'reset password 1');
    accounts.setDisabled(bob.id, true);
    accounts.setDisabled(bob.id, false);
    await accounts.signIn('bob', 'reset password 1');
    accounts.deleteUser(bob.id);
    expect(ended.map((e) => e.reason)).toEqual(['password-changed', 'password-changed', 'account-disabled', 'account-deleted']);
  });

  it('a locked screen ends everyone\'s sign-in', async () => {
    const a = await accounts.signIn('ada', pw);
    const b = await accounts.signIn('bob', pw);
    accounts.signIns.endAll('locked');
    expect([signedIn(a.token), signedIn(b.token)]).toEqual([false, false]);
    expect(ended.map((e) => e.reason)).toEqual(['locked', 'locked']);
  });

  it('an ordinary sign-out tells nobody', async () => {
    const { token } = await accounts.signIn('ada', pw);
    accounts.signOut(token);
    expect(signedIn(token)).toBe(false);
    expect(ended).toEqual([]);
  });
});

describe('guesses sent at once', () => {
  it('cannot outrun the lock-out: at most 5 are checked, the rest are refused before hashing', async () => {
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => accounts.signIn('ada', `guess number ${i}`).catch((e) => e.code)));
    expect(guesses.filter((c) => c === 'AUTH_FAILED')).toHaveLength(5);
    expect(guesses.filter((c) => c === 'LOCKED_OUT')).toHaveLength(35);
    // The account is now locked: the right password waits like any other.
    await expect(accounts.signIn('ada', pw)).rejects.toMatchObject({ code: 'LOCKED_OUT' });
  });

  it('the same for names that do not exist', async () => {
    const guesses = await Promise.all(Array.from({ length: 20 }, () => accounts.signIn('ghost', 'a guess').catch((e) => e.code)));
    expect(guesses.filter((c) => c === 'AUTH_FAILED')).toHaveLength(5);
    await expect(accounts.signIn('ghost', 'a guess')).rejects.toMatchObject({ code: 'LOCKED_OUT' });
  });

  it('the right password in a burst under the limit still gets in', async () => {
    const first = await Promise.all([...Array.from({ length: 4 }, () => accounts.signIn('bob', 'wrong one')), accounts.signIn('bob', pw)].map((p) => p.then(() => 'ok', (e) => e.code)));
    expect(first.sort()).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED', 'ok']);
  });

  it('remembers at most 1000 unknown names, forgetting the oldest first', async () => {
    for (let i = 0; i < 4; i++) await expect(accounts.signIn('ghost', 'a guess')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    for (let i = 0; i < 1000; i++) await accounts.signIn(`passer-by ${i}`, 'x').catch(() => {});
    // Four failures of "ghost" were forgotten: a fifth does not lock it.
    await expect(accounts.signIn('ghost', 'a guess')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(accounts.signIn('ghost', 'a guess')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('a flood of many names is bounded: refused quickly once the hash queue is full, without locking anyone out', async () => {
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => accounts.signIn(`stranger${i}`, 'x').catch((e) => e)));
    const refused = flood.filter((e) => e.code === 'LOCKED_OUT');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].message).toBe('The panel is checking too many sign-ins right now. Try again in a few seconds.');
    expect((await accounts.signIn('ada', pw)).user.username).toBe('ada');
  });
});
