import { AppError } from '../../../shared/errors';

/** Growing lock-outs after failed sign-ins, for known names (kept in their record) and unknown ones (kept here). */

export interface LockoutPolicy {
  /** Failed sign-ins in a row before the first lock-out. */
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { threshold: 5, baseSeconds: 30, maxSeconds: 3600 };

/** Unknown names remembered for lock-out; the oldest are forgotten first. */
const UNKNOWN_NAMES_LIMIT = 1000;

export interface Attempts {
  failedSignIns: number;
  lockouts: number;
  lockedUntil: string | null;
}

export const noAttempts = (): Attempts => ({ failedSignIns: 0, lockouts: 0, lockedUntil: null });

/** LOCKED_OUT, saying for how long, while `attempts` are locked out at `now`. */
export function assertNotLocked(attempts: Attempts, now: Date): void {
  if (!attempts.lockedUntil) return;
  const left = Date.parse(attempts.lockedUntil) - now.getTime();
  if (left > 0) throw new AppError('LOCKED_OUT', `Too many failed sign-ins. Try again in ${Math.ceil(left / 1000)} s.`);
}

/** One more failure; at the threshold a lock-out begins, each one twice as long as the last (up to the most). */
export function countFailure(a: Attempts, policy: LockoutPolicy, now: Date): void {
  a.failedSignIns += 1;
  if (a.failedSignIns < policy.threshold) return;
  const seconds = Math.min(policy.baseSeconds * 2 ** a.lockouts, policy.maxSeconds);
  a.lockouts += 1;
  a.failedSignIns = 0;
  a.lockedUntil = new Date(now.getTime() + seconds * 1000).toISOString();
}

/** Attempts at names no account has, so they lock out too; bounded, oldest forgotten first. */
export class UnknownNames {
  private readonly attempts = new Map<string, Attempts>();

  get(key: string): Attempts | undefined {
    return this.attempts.get(key);
  }

  remember(key: string, attempts: Attempts): void {
    this.attempts.delete(key); // re-inserted last: the map's order is oldest first
    this.attempts.set(key, attempts);
    for (const oldest of this.attempts.keys()) {
      if (this.attempts.size <= UNKNOWN_NAMES_LIMIT) break;
      this.attempts.delete(oldest);
    }
  }
}
