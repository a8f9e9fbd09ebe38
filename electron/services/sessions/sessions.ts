import type { User } from '../../../shared/accounts';
import type { BlenderCommand, BlenderParams, BlenderResult } from '../../../shared/blender';
import { Emitter } from '../../../shared/emitter';
import { AppError } from '../../../shared/errors';
import { isActive, type AdminSessionRow, type SessionView, type StartProgress, type StopReason } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import { networkNameFor, volumeNameFor } from '../blender/naming';
import type { ContainerEngine } from '../engine/container-engine';
import { BlenderGateway } from './blender-gateway';
import { BOOT_BOOST_MS, BootBoost } from './boot-boost';
import { EngineWatcher } from './engine-watcher';
import { ImageSupply, type ImageSource } from './image-supply';
import { PersonContainers } from './person-container';
import type { PortAllocator } from './ports';
import { Reconciler } from './reconciler';
import { STOP_MESSAGES, type StartOptions } from './session';
import { SessionStore } from './session-store';
import { StartQueue } from './start-queue';
import { Starter } from './starter';
import { Stopper } from './stopper';

export { STOP_TIMEOUT_S } from '../blender/image-contract';
export type { StartOptions } from './session';

export interface SessionDeps {
  engine: ContainerEngine;
  settings: () => Settings;
  ports: PortAllocator;
  /** Integration keys for a user's container; null when there is no keychain at all. */
  credentials: { environmentFor(userId: string): Promise<Record<string, string>> } | null;
  /** Namespaces this panel's containers (a hash of its data directory). */
  instance: string;
  /** Where to build the image from when it is missing. */
  imageSource: ImageSource | null;
  clock?: () => Date;
  idleCheckMs?: number;
  /** How long a boot may keep the boot boost at most (BOOT_BOOST_MS unless a test says otherwise). */
  bootBoostMs?: number;
  log?: (message: string) => void;
}

/**
 * One Blender container per user, with its state rebuilt from Docker (labels) at start-up and
 * kept live by Docker events. Operations on one user run one at a time; different users run
 * side by side. The work is done by its parts: the store, the starter, the stopper, the
 * reconciler, the engine watcher and the Blender gateway; what is here is the order of things
 * and the policies (idle stops, leaving an engine, deleting a person's data).
 */
export class SessionManager {
  /** A session stopped through the panel, or by an engine restart, and why. */
  readonly stopped = new Emitter<{ userId: string; why: StopReason }>();
  private readonly store: SessionStore;
  private readonly starter: Starter;
  private readonly stopper: Stopper;
  private readonly reconciler: Reconciler;
  private readonly watcher: EngineWatcher;
  private readonly gateway: BlenderGateway;
  private readonly boost: BootBoost;
  private readonly starts: StartQueue;
  /** Aborted when the panel stops following the engine (disposed, or moving to another). */
  private following = new AbortController();
  private idleTimer: NodeJS.Timeout | null = null;
  private engineCpus = 1;
  private readonly clock: () => Date;
  private readonly log: (message: string) => void;

  constructor(private readonly deps: SessionDeps) {
    const { engine, settings, ports, instance } = deps;
    const clock = (this.clock = deps.clock ?? (() => new Date()));
    const log = (this.log = deps.log ?? ((m: string) => console.error(`[sessions] ${m}`)));
    const following = () => this.following.signal;
    this.store = new SessionStore({ engine, ports });
    this.starts = new StartQueue(() => settings().maxConcurrentStarts || this.engineCpus);
    this.boost = new BootBoost({ containers: engine.containers, cpus: () => settings().cpus, engineCpus: () => this.engineCpus, boostMs: deps.bootBoostMs ?? BOOT_BOOST_MS, log });
    this.gateway = new BlenderGateway({ engine, store: this.store, clock });
    this.stopper = new Stopper({ engine, store: this.store, stopped: this.stopped, clock, log });
    this.reconciler = new Reconciler({ engine, store: this.store, ports, boost: this.boost, settings, instance, following, clock, log });
    this.watcher = new EngineWatcher({ engine, store: this.store, reconciler: this.reconciler, stopped: this.stopped, instance, log });
    this.starter = new Starter({
      engine, store: this.store, settings, ports, starts: this.starts, boost: this.boost, stopper: this.stopper,
      containers: new PersonContainers({ engine, images: new ImageSupply(engine.images, deps.imageSource), instance }), credentials: deps.credentials,
      lastScreen: () => this.gateway.lastScreen, following, clock, log,
    });
  }

  /** Every change of any session, as plain data. */
  get changed(): Emitter<SessionView> {
    return this.store.changed;
  }

  /** Follows Docker events, adopts what is already running, and starts checking for idle sessions. */
  async init(): Promise<void> {
    this.engineCpus = await this.deps.engine.cpuCount();
    await this.watcher.begin(this.following.signal, () => this.reconcile());
    this.idleTimer = setInterval(() => void this.cleanupIdle().catch((e) => this.log(`idle check failed: ${e}`)), this.deps.idleCheckMs ?? 60_000);
    this.idleTimer.unref();
  }

  async dispose(): Promise<void> {
    this.boost.forgetAll();
    await this.stopFollowing();
    for (const s of this.store.all()) s.client?.close();
  }

  /**
   * Before the panel moves to another engine: saves and stops every Blender on this one and stops
   * following it. `init()` then starts over on the new one. Says whose Blender could not be
   * stopped cleanly (an engine that is unreachable), and why.
   */
  async leaveEngine(): Promise<{ username: string; message: string }[]> {
    const active = this.store.all().filter((s) => s.containerId && isActive(s.state));
    const outcomes = await Promise.allSettled(active.map((s) => this.stop(s.userId, 'engine-change')));
    const failures = outcomes.flatMap((outcome, i) => {
      const { username } = active[i]!;
      if (outcome.status === 'rejected') return [{ username, message: (outcome.reason as Error).message }];
      const save = outcome.value?.lastSave;
      return save && !save.ok ? [{ username, message: save.message }] : [];
    });
    await this.stopFollowing();
    for (const s of this.store.all()) this.store.detach(s, { containerId: null, ...(isActive(s.state) ? { state: 'stopped' as const, reason: STOP_MESSAGES['engine-change'] } : {}) });
    this.following = new AbortController();
    return failures;
  }

  private async stopFollowing(): Promise<void> {
    this.following.abort();
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    await this.watcher.ended();
  }

  list(): SessionView[] {
    return this.store.list();
  }

  get(userId: string): SessionView | null {
    const s = this.store.find(userId);
    return s ? this.store.view(s) : null;
  }

  /** Starts (or restarts, or returns) the user's Blender, reporting each step. */
  start(user: User, onProgress: (p: StartProgress) => void = () => {}, options: StartOptions = {}): Promise<SessionView> {
    return this.store.exclusive(user.id, () => this.starter.start(user, onProgress, {}, options));
  }

  /** Saves the open scene (keeping `version`), then starts Blender again on that saved version. */
  openVersion(user: User, version: string, onProgress: (p: StartProgress) => void = () => {}, signal?: AbortSignal): Promise<SessionView> {
    return this.store.exclusive(user.id, async () => {
      const { client } = this.gateway.requireReady(user.id, () => 'Start your Blender first: versions are opened from a running Blender.');
      const { versions } = await client.request('scenes', {});
      if (!versions.some((v) => v.name === version)) throw new AppError('NOT_FOUND', `There is no saved version ${version}`);
      onProgress({ step: 'scene', message: 'Saving the open scene first' });
      await this.stopper.stop(user.id, 'open-version', [version]);
      return this.starter.start(user, onProgress, { BLENDER_LAB_OPEN: version }, { signal });
    });
  }

  /** Saves the open scene (as a sign-out does), then starts Blender again on a .blend of the person's own, `path` relative to their home. */
  openFile(user: User, path: string, onProgress: (p: StartProgress) => void = () => {}, signal?: AbortSignal): Promise<SessionView> {
    return this.store.exclusive(user.id, async () => {
      this.gateway.requireReady(user.id, () => 'Start your Blender first: files are opened from a running Blender.');
      onProgress({ step: 'scene', message: 'Saving the open scene first' });
      await this.stopper.stop(user.id, 'open-file');
      return this.starter.start(user, onProgress, { BLENDER_LAB_OPEN_FILE: path }, { signal });
    });
  }

  /** Saves the open scene into the user's volume, then stops the container. A start still waiting in the queue ends at once. */
  stop(userId: string, why: StopReason): Promise<SessionView | null> {
    this.starts.leave(userId);
    return this.store.exclusive(userId, () => this.stopper.stop(userId, why));
  }

  async stopAll(why: StopReason): Promise<void> {
    await Promise.all(this.store.all().filter((s) => s.containerId && s.state !== 'stopped').map((s) => this.stop(s.userId, why)));
  }

  /** Stops ready sessions idle for longer than the configured timeout; returns whose. */
  async cleanupIdle(): Promise<string[]> {
    const limitMs = this.deps.settings().idleTimeoutMinutes * 60_000;
    const now = this.clock().getTime();
    const idle = this.store.all().filter((s) => s.state === 'ready' && s.lastActivity && now - s.lastActivity.getTime() >= limitMs);
    await Promise.all(idle.map((s) => this.stop(s.userId, 'idle')));
    return idle.map((s) => s.userId);
  }

  /** Rebuilds state from what Docker has (see Reconciler). */
  reconcile(): Promise<void> {
    return this.reconciler.reconcile();
  }

  // --- a person's Blender, through the gateway ----------------------------------------------

  command<C extends BlenderCommand>(userId: string, command: C, params: BlenderParams<C>, options: { timeoutMs?: number } = {}): Promise<BlenderResult<C>> {
    return this.gateway.command(userId, command, params, options);
  }

  savedStates(userId: string): Promise<BlenderResult<'scenes'>> {
    return this.gateway.savedStates(userId);
  }

  fitScreen(userId: string, width: number, height: number): Promise<{ width: number; height: number }> {
    return this.gateway.fitScreen(userId, width, height);
  }

  runningContainer(userId: string): string {
    return this.gateway.runningContainer(userId);
  }

  touch(userId: string): void {
    this.gateway.touch(userId);
  }

  uiAddress(userId: string): string | null {
    return this.gateway.uiAddress(userId);
  }

  // --- for administrators -------------------------------------------------------------------

  /** Every session with its current CPU and memory use (sampled in parallel; null when not running). */
  async listWithStats(): Promise<AdminSessionRow[]> {
    return Promise.all(
      this.list().map(async (view) => {
        const id = this.store.find(view.userId)?.containerId;
        const stats = id && view.state === 'ready' ? await this.deps.engine.containers.stats(id).catch(() => null) : null;
        return { ...view, stats };
      }),
    );
  }

  async logs(userId: string, tail = 200): Promise<string> {
    const s = this.store.find(userId);
    if (!s?.containerId) throw new AppError('NOT_FOUND', 'This user has no container');
    return this.deps.engine.containers.logs(s.containerId, tail);
  }

  /** Removes the user's container and their data volume. Irreversible; admins only. */
  deleteUserData(userId: string, username: string): Promise<void> {
    return this.store.exclusive(userId, async () => {
      const { engine } = this.deps;
      await this.stopper.stop(userId, 'admin');
      const s = this.store.find(userId);
      if (s?.containerId) await engine.containers.remove(s.containerId);
      await engine.volumes.remove(volumeNameFor(username, userId));
      await engine.networks.remove(networkNameFor(username, userId));
      this.store.forget(userId);
    });
  }
}
