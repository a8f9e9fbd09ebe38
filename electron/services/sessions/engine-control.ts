import { ENGINE_SETTINGS, type EngineKind, type EngineMove, type EngineStatus } from '../../../shared/engine';
import { AppError } from '../../../shared/errors';
import { isActive } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import type { Engine } from '../engine/engine';
import type { SessionManager } from './sessions';

const RETRY_MS = 5_000;

export interface EngineControlDeps {
  engine: Engine;
  sessions: SessionManager;
  /** A connection to the engine `settings` name (refuses one the panel will not use). */
  connect: (settings: Settings) => Engine;
  /** Problems worth an operator's attention (logged; kept for the start-up list). */
  report: (message: string) => void;
  clock?: () => Date;
}

/**
 * Which engine the panel drives: following it from start-up (retrying while it is away), its
 * state for Settings, accepting an SSH host key, and moving to another engine when the settings
 * name one, without restarting the panel.
 */
export class EngineControl {
  private retry: NodeJS.Timeout | null = null;
  private following = false;
  private problem: string | null = null;
  private lastMove: EngineMove | null = null;
  private moving: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly deps: EngineControlDeps,
    private endpoint: string,
  ) {}

  /** Follows the engine (sessions adopted, events watched); while it cannot be reached, tries again every 5 s. */
  async start(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.following || this.disposed) return;
    try {
      await this.deps.sessions.init();
      this.following = true;
      this.problem = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.problem) this.deps.report(`Docker is not reachable yet (${message}); retrying every 5 s`);
      this.problem = message;
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  async status(): Promise<EngineStatus> {
    const { engine } = this.deps;
    let problem: string | null = null;
    try {
      await engine.ping();
    } catch (error) {
      problem = (error as Error).message;
    }
    const key = engine.link?.untrustedKey ?? null;
    return {
      endpoint: this.endpoint,
      kind: kindOf(engine),
      reachable: problem === null,
      problem,
      untrustedHostKey: key && { type: key.type, fingerprint: key.fingerprint },
      lastMove: this.lastMove,
    };
  }

  /** Trusts the SSH host key the panel refused, if it is the one with `fingerprint`, and connects at once. */
  async acceptHostKey(fingerprint: string): Promise<EngineStatus> {
    const link = this.deps.engine.link;
    if (!link) throw new AppError('INVALID_INPUT', 'The engine is not reached over SSH: there is no host key to accept');
    link.acceptHostKey(fingerprint);
    await this.start();
    return this.status();
  }

  /**
   * After the settings changed: when they name another engine (or reach it another way), saves
   * and stops every Blender on the current one, then follows the new one. People's files stay
   * on the engine their volume is on.
   */
  settingsChanged(previous: Settings, next: Settings): Promise<void> {
    if (ENGINE_SETTINGS.every((key) => previous[key] === next[key])) return this.moving;
    this.moving = this.moving.then(() => this.move(next));
    return this.moving;
  }

  dispose(): void {
    this.disposed = true;
    if (this.retry) clearTimeout(this.retry);
  }

  private async move(next: Settings): Promise<void> {
    const { engine, sessions } = this.deps;
    const to = next.dockerEndpoint;
    const fresh = this.deps.connect(next); // refused before anything stops
    const before = sessions.list().filter((s) => isActive(s.state)).length;
    const notSaved = await sessions.leaveEngine();
    this.lastMove = { at: (this.deps.clock?.() ?? new Date()).toISOString(), from: this.endpoint, to, stopped: before, notSaved };
    this.deps.report(`Moved from ${this.endpoint || 'this machine\'s engine'} to ${to || 'this machine\'s engine'}: ${before} Blender(s) saved and stopped${notSaved.length ? `; not saved: ${notSaved.map((n) => n.username).join(', ')}` : ''}`);
    engine.switchTo(fresh);
    this.endpoint = to;
    this.following = false;
    this.problem = null;
    await this.start();
  }
}

/** As the connection was made: over SSH, to a TLS engine (whose ports are relayed), or on this machine. */
function kindOf(engine: Engine): EngineKind {
  if (engine.link) return 'ssh';
  return engine.remote ? 'tls' : 'local';
}
