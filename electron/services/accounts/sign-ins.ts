import { randomBytes } from 'node:crypto';
import { Emitter } from '../../../shared/emitter';
import type { SignInEndReason } from '../../../shared/sign-ins';

export interface SignInLimits {
  /** Without activity for this long, a sign-in ends (a warning comes a minute before). */
  idleMinutes: number;
  /** However active, a sign-in ends this long after it began. */
  maxHours: number;
}

export const WARNING_MS = 60_000;

interface Held {
  userId: string;
  issuedAt: number;
  lastActive: number;
  warned: boolean;
}

export interface Ended {
  token: string;
  userId: string;
  reason: SignInEndReason;
}

/**
 * Who is signed in, by opaque token, held only in memory (every sign-in dies with the process).
 * A sign-in ends by sign-out, idleness, its maximum lifetime, or when something about the person
 * changes; `ended` tells whoever holds the token.
 */
export class SignIns {
  readonly ended = new Emitter<Ended>();
  readonly expiring = new Emitter<{ token: string; at: Date }>();
  /** Every end of a sign-in, the person's own sign-out included. */
  readonly over = new Emitter<{ token: string; userId: string }>();
  private readonly held = new Map<string, Held>();
  /** Per person, aborted when their last sign-in ends. */
  private readonly present = new Map<string, AbortController>();

  constructor(
    private readonly limits: () => SignInLimits,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  issue(userId: string): string {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock().getTime();
    this.held.set(token, { userId, issuedAt: now, lastActive: now, warned: false });
    return token;
  }

  /**
   * Aborted once the person holds no sign-in anywhere (already aborted when they hold none):
   * what was begun for them, such as a start, has nobody left to serve.
   */
  untilGone(userId: string): AbortSignal {
    if (!this.holds(userId)) return AbortSignal.abort();
    let present = this.present.get(userId);
    if (!present) this.present.set(userId, (present = new AbortController()));
    return present.signal;
  }

  /** Whether `token` is still a live sign-in of `userId`'s. */
  isLive(token: string | null, userId: string): boolean {
    return token !== null && this.userOf(token) === userId;
  }

  /** The person behind a live token; a token past its limits ends here and now. */
  userOf(token: string): string | null {
    const held = this.held.get(token);
    if (!held) return null;
    const reason = this.overdue(held, this.clock().getTime());
    if (reason) {
      this.end(token, reason);
      return null;
    }
    return held.userId;
  }

  /** Whether the person holds a live sign-in anywhere. */
  holds(userId: string): boolean {
    return [...this.held.entries()].some(([token, held]) => held.userId === userId && this.userOf(token) === userId);
  }

  /** The person showed they are there. */
  touch(token: string): void {
    const held = this.held.get(token);
    if (held) {
      held.lastActive = this.clock().getTime();
      held.warned = false;
    }
  }

  /** Ends one sign-in; `reason` null is the person's own sign-out (nobody to tell). */
  end(token: string, reason: SignInEndReason | null): void {
    const held = this.held.get(token);
    if (!held) return;
    this.held.delete(token);
    if (![...this.held.values()].some((h) => h.userId === held.userId)) {
      this.present.get(held.userId)?.abort();
      this.present.delete(held.userId);
    }
    this.over.emit({ token, userId: held.userId });
    if (reason) this.ended.emit({ token, userId: held.userId, reason });
  }

  /** Ends every sign-in of the person but `except` (the one that made a change, which stays). */
  endAllFor(userId: string, reason: SignInEndReason, except: string | null = null): void {
    for (const [token, held] of [...this.held]) if (held.userId === userId && token !== except) this.end(token, reason);
  }

  endAll(reason: SignInEndReason): void {
    for (const token of [...this.held.keys()]) this.end(token, reason);
  }

  /** Ends what is overdue and warns those a minute from their idle limit; run every few seconds. */
  sweep(): void {
    const now = this.clock().getTime();
    for (const [token, held] of [...this.held]) {
      const reason = this.overdue(held, now);
      if (reason) this.end(token, reason);
      else if (!held.warned && now >= this.idleDeadline(held) - WARNING_MS) {
        held.warned = true;
        this.expiring.emit({ token, at: new Date(this.idleDeadline(held)) });
      }
    }
  }

  private idleDeadline(held: Held): number {
    return held.lastActive + this.limits().idleMinutes * 60_000;
  }

  private overdue(held: Held, now: number): SignInEndReason | null {
    if (now >= held.issuedAt + this.limits().maxHours * 3_600_000) return 'lifetime';
    if (now >= this.idleDeadline(held)) return 'idle';
    return null;
  }
}
