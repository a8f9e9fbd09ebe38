import { randomBytes } from 'node:crypto';
import { passwordSchema, roleSchema, usernameSchema, type Role, type User } from '../../../shared/accounts';
import { Emitter } from '../../../shared/emitter';
import { AppError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';
import type { DocumentStore } from '../storage/document-store';
import type { AccountsFile, UserRecord } from './accounts-file';
import { DEFAULT_COST, hashPassword, verifyPassword, type PasswordHash, type ScryptCost } from './password';
import { assertNotLocked, countFailure, DEFAULT_LOCKOUT, noAttempts, UnknownNames, type Attempts, type LockoutPolicy } from './lockout';
import { SignIns, type SignInLimits } from './sign-ins';
import { WorkQueue } from './work-queue';


export interface AccountServiceDeps {
  store: DocumentStore<AccountsFile>;
  signUpAllowed: () => boolean;
  clock?: () => Date;
  cost?: ScryptCost;
  lockout?: LockoutPolicy;
  signInLimits?: () => SignInLimits;
}

/** Password hashes at once: each takes ~128 MiB and a core for a few hundred ms. */
const HASHES_AT_ONCE = 2;
/** Hashes waiting beyond this are refused at once rather than queued behind a flood. */
const HASH_QUEUE_LIMIT = 64;
const WRONG_CREDENTIALS = 'Wrong username or password';

/**
 * Local accounts: scrypt hashes, growing lock-outs, sign-ins held only in memory (so every sign-in
 * dies with the process). The first account becomes admin.
 */
export class AccountService {
  readonly signIns: SignIns;
  private readonly unknownNames = new UnknownNames();
  /** Guesses being checked right now, per name: they count against the lock-out before they finish. */
  private readonly inFlight = new Map<string, number>();
  private readonly hashes = new WorkQueue(HASHES_AT_ONCE, HASH_QUEUE_LIMIT);
  private readonly clock: () => Date;
  private readonly cost: ScryptCost;
  private readonly lockout: LockoutPolicy;
  private dummyHash: Promise<PasswordHash> | null = null;

  constructor(private readonly deps: AccountServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.cost = deps.cost ?? DEFAULT_COST;
    this.lockout = deps.lockout ?? DEFAULT_LOCKOUT;
    this.signIns = new SignIns(deps.signInLimits ?? (() => ({ idleMinutes: 15, maxHours: 12 })), this.clock);
  }

  /** An account that can no longer have a session (so its container can be stopped). */
  readonly revoked = new Emitter<{ user: User; reason: 'disabled' | 'deleted' }>();

  listUsers(): User[] {
    return this.records().map(publicUser);
  }

  getUser(id: string): User | null {
    const record = this.records().find((u) => u.id === id);
    return record ? publicUser(record) : null;
  }

  hasUsers(): boolean {
    return this.records().length > 0;
  }

  /** Self sign-up (no `by`), or an admin creating an account. The first account is an admin. */
  async createAccount(input: { username: unknown; password: unknown; role?: unknown }, by?: User): Promise<User> {
    const username = parseOrThrow(usernameSchema, input.username);
    const password = parseOrThrow(passwordSchema, input.password);
    const requestedRole = input.role === undefined ? 'user' : parseOrThrow(roleSchema, input.role);
    if (!by && this.hasUsers() && !this.deps.signUpAllowed()) {
      throw new AppError('SIGN_UP_CLOSED', 'Creating accounts is turned off here. Ask an administrator for an account.');
    }
    if (by && by.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can create accounts for others');
    this.assertNameFree(username);
    const hash = await this.hashes.run(() => hashPassword(password, this.cost));
    // Re-read after the slow hash: another sign-up may have landed meanwhile.
    const data = this.deps.store.read();
    if (data.users.some((u) => sameName(u.username, username))) throw taken(username);
    const record: UserRecord = {
      id: newUserId(data.users),
      username,
      role: data.users.length === 0 ? 'admin' : by ? requestedRole : 'user',
      createdAt: this.clock().toISOString(),
      lastLoginAt: null,
      disabled: false,
      password: hash,
      failedSignIns: 0,
      lockouts: 0,
      lockedUntil: null,
    };
    data.users.push(record);
    this.deps.store.write(data);
    return publicUser(record);
  }

  async signIn(usernameInput: unknown, passwordInput: unknown): Promise<{ token: string; user: User }> {
    if (typeof usernameInput !== 'string' || typeof passwordInput !== 'string' || passwordInput.length > 4096) {
      throw new AppError('AUTH_FAILED', WRONG_CREDENTIALS);
    }
    const key = usernameInput.trim().normalize('NFC').toLowerCase();
    const before = this.attemptsFor(key);
    this.assertNotLocked(before.attempts);
    // Guesses still being checked count already, so a burst sent at once cannot outrun the lock.
    const pending = this.inFlight.get(key) ?? 0;
    if (before.attempts.failedSignIns + pending >= this.lockout.threshold) {
      throw new AppError('LOCKED_OUT', 'Too many sign-in attempts for this name at once. Try again in a few seconds.');
    }
    this.inFlight.set(key, pending + 1);
    let ok: boolean;
    try {
      // Unknown names cost the same hash as known ones, so timing does not reveal who exists.
      ok = await this.hashes.run(() => (before.record ? verifyPassword(passwordInput, before.record.password) : this.burnHash(passwordInput)));
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    }
    // Look again: the account may have been locked, disabled or removed while the hash ran.
    const after = this.attemptsFor(key);
    this.assertNotLocked(after.attempts);
    const record = after.record;
    if (!ok || !record || record.disabled || record.id !== before.record?.id) {
      this.recordFailure(record?.id ?? null, key);
      throw new AppError('AUTH_FAILED', WRONG_CREDENTIALS);
    }
    const user = this.update(record.id, (u) => {
      u.failedSignIns = 0;
      u.lockouts = 0;
      u.lockedUntil = null;
      u.lastLoginAt = this.clock().toISOString();
    });
    return { token: this.signIns.issue(user.id), user };
  }

  signOut(token: string): void {
    this.signIns.end(token, null);
  }

  /** The user behind a live sign-in token, or NOT_SIGNED_IN. */
  authenticate(token: unknown): User {
    const id = typeof token === 'string' ? this.signIns.userOf(token) : null;
    const user = id ? this.getUser(id) : null;
    if (!user || user.disabled) {
      if (typeof token === 'string') this.signIns.end(token, null);
      throw new AppError('NOT_SIGNED_IN', 'You are not signed in (or your sign-in has ended). Sign in again.');
    }
    return user;
  }

  /**
   * A new password for the person, who proves the current one. The sign-in that made the change
   * (`keep`) stays; every other one of theirs ends at once.
   */
  async changePassword(user: User, current: unknown, next: unknown, keep: string | null = null): Promise<void> {
    const password = parseOrThrow(passwordSchema, next);
    await this.confirmPassword(user, current, 'The current password is wrong');
    const hash = await this.hashes.run(() => hashPassword(password, this.cost));
    this.update(user.id, (u) => { u.password = hash; });
    this.signIns.endAllFor(user.id, 'password-changed', keep);
  }

  /**
   * The person proves their password again before something that outlives the sign-in (an
   * AI-client token). Wrong guesses count towards the lock-out, as at sign-in, so a window left
   * signed in cannot be used to try passwords.
   */
  async confirmPassword(user: User, password: unknown, wrong = 'The password is wrong'): Promise<void> {
    const record = this.record(user.id);
    this.assertNotLocked(record);
    if (typeof password !== 'string' || password.length > 4096 || !(await this.hashes.run(() => verifyPassword(password, record.password)))) {
      this.recordFailure(record.id, record.username.normalize('NFC').toLowerCase());
      throw new AppError('AUTH_FAILED', wrong);
    }
  }

  async resetPassword(id: string, next: unknown): Promise<void> {
    const password = parseOrThrow(passwordSchema, next);
    this.record(id);
    const hash = await this.hashes.run(() => hashPassword(password, this.cost));
    this.update(id, (u) => {
      u.password = hash;
      u.failedSignIns = 0;
      u.lockouts = 0;
      u.lockedUntil = null;
    });
    this.signIns.endAllFor(id, 'password-changed');
  }

  setDisabled(id: string, disabled: boolean): User {
    if (disabled) this.assertAdminRemains(id, 'disable');
    const user = this.update(id, (u) => { u.disabled = disabled; });
    if (disabled) {
      this.signIns.endAllFor(id, 'account-disabled');
      this.revoked.emit({ user, reason: 'disabled' });
    }
    return user;
  }

  setRole(id: string, roleInput: unknown): User {
    const role: Role = parseOrThrow(roleSchema, roleInput);
    if (role !== 'admin') this.assertAdminRemains(id, 'demote');
    return this.update(id, (u) => { u.role = role; });
  }

  deleteUser(id: string): User {
    this.assertAdminRemains(id, 'delete');
    const data = this.deps.store.read();
    const record = data.users.find((u) => u.id === id);
    if (!record) throw notFound(id);
    data.users = data.users.filter((u) => u.id !== id);
    this.deps.store.write(data);
    this.signIns.endAllFor(id, 'account-deleted');
    const user = publicUser(record);
    this.revoked.emit({ user, reason: 'deleted' });
    return user;
  }

  private records(): UserRecord[] {
    return this.deps.store.read().users;
  }

  private record(id: string): UserRecord {
    const record = this.records().find((u) => u.id === id);
    if (!record) throw notFound(id);
    return record;
  }

  private update(id: string, change: (u: UserRecord) => void): User {
    const data = this.deps.store.read();
    const record = data.users.find((u) => u.id === id);
    if (!record) throw notFound(id);
    change(record);
    this.deps.store.write(data);
    return publicUser(record);
  }

  private assertNameFree(username: string): void {
    if (this.records().some((u) => sameName(u.username, username))) throw taken(username);
  }

  private assertAdminRemains(id: string, action: string): void {
    const users = this.records();
    const target = users.find((u) => u.id === id);
    if (!target) throw notFound(id);
    const otherAdmins = users.filter((u) => u.role === 'admin' && !u.disabled && u.id !== id);
    if (target.role === 'admin' && otherAdmins.length === 0) {
      throw new AppError('CONFLICT', `Cannot ${action} ${target.username}: they are the only administrator`);
    }
  }

  private assertNotLocked(attempts: Attempts): void {
    assertNotLocked(attempts, this.clock());
  }

  private recordFailure(id: string | null, key: string): void {
    const bump = (a: Attempts) => countFailure(a, this.lockout, this.clock());
    if (id) {
      this.update(id, bump);
    } else {
      const a = this.unknownNames.get(key) ?? noAttempts();
      bump(a);
      this.unknownNames.remember(key, a);
    }
  }

  private async burnHash(password: string): Promise<false> {
    this.dummyHash ??= hashPassword('not a real password', this.cost);
    await verifyPassword(password, await this.dummyHash);
    return false;
  }

  private attemptsFor(key: string): { record: UserRecord | undefined; attempts: Attempts } {
    const record = this.records().find((u) => sameName(u.username, key));
    return { record, attempts: record ?? this.unknownNames.get(key) ?? noAttempts() };
  }
}

function publicUser(r: UserRecord): User {
  return { id: r.id, username: r.username, role: r.role, createdAt: r.createdAt, lastLoginAt: r.lastLoginAt, disabled: r.disabled };
}

function sameName(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

function newUserId(existing: UserRecord[]): string {
  for (;;) {
    const id = randomBytes(5).toString('hex');
    if (!existing.some((u) => u.id === id)) return id;
  }
}

function taken(username: string): AppError {
  return new AppError('USERNAME_TAKEN', `The username ${username} is taken`);
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No account with id ${id}`);
}
