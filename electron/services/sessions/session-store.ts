import { Emitter } from '../../../shared/emitter';
import type { SessionView } from '../../../shared/sessions';
import { containerNameFor } from '../blender/naming';
import type { ContainerEngine } from '../engine/container-engine';
import type { PortAllocator } from './ports';
import { newSession, type Session } from './session';

/**
 * Every person's session record, the one place they change (each change is told as plain data),
 * and the per-person lock: operations on one person run one at a time, different people's side by side.
 */
export class SessionStore {
  /** Every change of any session, as plain data. */
  readonly changed = new Emitter<SessionView>();
  private readonly sessions = new Map<string, Session>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { engine: Pick<ContainerEngine, 'closeForward'>; ports: Pick<PortAllocator, 'free'> }) {}

  find(userId: string): Session | undefined {
    return this.sessions.get(userId);
  }

  /** The person's session, made (stopped) if the panel has none yet. */
  of(userId: string, username: string): Session {
    let s = this.sessions.get(userId);
    if (!s) {
      s = newSession(userId, username);
      this.sessions.set(userId, s);
    }
    return s;
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  forget(userId: string): void {
    this.sessions.delete(userId);
  }

  update(s: Session, change: Partial<Session>): void {
    Object.assign(s, change);
    this.changed.emit(this.view(s));
  }

  /** The container is no longer the panel's to talk to: drop the connection, the tunnels and the ports, and record the outcome. */
  detach(s: Session, outcome: Partial<Session>): void {
    s.client?.close();
    if (s.ports) {
      this.deps.engine.closeForward(s.ports.addon);
      this.deps.engine.closeForward(s.ports.ui);
    }
    this.deps.ports.free(s.userId);
    this.update(s, { client: null, secret: null, ports: null, startedAt: null, ...outcome });
  }

  list(): SessionView[] {
    return this.all().map((s) => this.view(s)).sort((a, b) => a.username.localeCompare(b.username));
  }

  view(s: Session): SessionView {
    return {
      userId: s.userId,
      username: s.username,
      state: s.state,
      reason: s.reason,
      containerName: containerNameFor(s.username, s.userId),
      ports: s.ports,
      startedAt: s.startedAt?.toISOString() ?? null,
      lastActivityAt: s.lastActivity?.toISOString() ?? null,
      lastSave: s.lastSave,
      scene: s.scene,
      blenderAddress: null,
      warnings: [...s.warnings],
    };
  }

  /** Runs `work` once everything queued for this person before it has ended. */
  exclusive<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(userId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    const settled = next.catch(() => {});
    this.locks.set(userId, settled);
    void settled.then(() => { if (this.locks.get(userId) === settled) this.locks.delete(userId); });
    return next;
  }
}
