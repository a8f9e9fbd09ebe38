import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../../../shared/accounts';
import type { BlenderCommand, BlenderParams, BlenderResult } from '../../../shared/blender';
import { Emitter } from '../../../shared/emitter';
import { AppError, isAppError } from '../../../shared/errors';
import { sceneNotice } from '../../../shared/scene-notice';
import { isActive, showsBlender, type AdminSessionRow, type SaveOutcome, type SceneNotice, type SessionState, type SessionView, type StartProgress, type StopReason } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import { BlenderClient } from '../blender/blender-client';
import { ensureBlenderImage } from '../blender/blender-image';
import type { ContainerEvent, ContainerInfo, Engine } from '../engine/engine';
import { containerNameFor, instanceLabels, LABELS, networkNameFor, volumeNameFor } from '../blender/naming';
import type { PortAllocator, PortPair } from './ports';
import { waitForBlender, waitForUi } from '../blender/readiness';
import { screenTokenFor } from '../blender/session-secret';
import { StartQueue } from './start-queue';

const ADDON_PORT = 9876;
const UI_PORT = 3000;
const SESSION_DIR = '/var/lib/blender-lab';
const SESSION_FILE = 'session.env';
/** A tmpfs: the running container's copy of its secret, gone when it stops. */
const SECRET_FILE = '/run/blender-lab/secret';
/** Bumped when containers need recreating for reasons the settings do not show (new hardening). */
const CONTAINER_GENERATION = 3;
export const BLENDER_UID = 1000;
/**
 * How long a stop may take: the entrypoint saves the scene on SIGTERM first. Saving a scene of
 * tens of MB takes seconds here; two minutes leaves room for far larger ones on slow disks.
 */
export const STOP_TIMEOUT_S = 120;
/** A container held for its turn, or not yet let in, holds no work: how long its stop may take. */
const HELD_STOP_TIMEOUT_S = 1;
/** CPU weights (Docker's cpu-shares): booting, and once ready. */
const BOOT_CPU_SHARES = 262144;
const ORDINARY_CPU_SHARES = 1024;
/**
 * The longest a Blender boots with the boost, whatever it does: a boot here takes 2–5 s; a
 * person's own startup script that delays readiness must not keep every CPU for itself.
 */
const BOOT_BOOST_MS = 20_000;
/** The signal that lets a container held for its turn boot Blender, from an image that can hold one. */
const LET_IN_LABEL = 'org.blender-lab.let-in-signal';
const SPEC_LABEL = 'org.blender-lab.spec';

export interface SessionDeps {
  engine: Engine;
  settings: () => Settings;
  ports: PortAllocator;
  /** Integration keys for a user's container; null when there is no keychain at all. */
  credentials: { environmentFor(userId: string): Promise<Record<string, string>> } | null;
  /** Namespaces this panel's containers (a hash of its data directory). */
  instance: string;
  /** Where to build the image from when it is missing. */
  imageSource: { contextDir: string; baseImage: string } | null;
  clock?: () => Date;
  idleCheckMs?: number;
  /** How long a boot may keep the boot boost at most (BOOT_BOOST_MS unless a test says otherwise). */
  bootBoostMs?: number;
  log?: (message: string) => void;
}

interface Session {
  userId: string;
  username: string;
  state: SessionState;
  reason: string | null;
  containerId: string | null;
  ports: PortPair | null;
  secret: string | null;
  startedAt: Date | null;
  lastActivity: Date | null;
  lastSave: SaveOutcome | null;
  scene: SceneNotice | null;
  warnings: string[];
  client: BlenderClient | null;
  oomKilled: boolean;
  /** When (performance.now()) its container was last seen to end outside the panel. */
  endedOutsideAt: number | null;
}

/** What a start should open instead of the newest good state: a saved version, or a file of the person's own. */
type SceneRequest = { BLENDER_LAB_OPEN?: string; BLENDER_LAB_OPEN_FILE?: string };

export interface StartOptions {
  /** Told to the person with the scene opened (why Blender started again by itself). */
  because?: string;
  /**
   * Aborted when whoever asked for the start is gone (their sign-in ended): the start leaves the
   * queue, and a Blender already booting for it is saved and stopped as at sign-out.
   */
  signal?: AbortSignal;
}

const cancelled = () => new AppError('START_CANCELLED', 'The sign-in ended before Blender was ready, so it was stopped');

/** What a stopped session says, by why it stopped (shown to its person and in the admin view). */
const STOP_MESSAGES: Record<StopReason, string> = {
  'sign-out': 'Signed out',
  idle: 'Stopped after being idle',
  admin: 'Stopped by an administrator',
  tray: 'Stopped from the tray',
  quit: 'Stopped when the panel quit',
  'account-disabled': 'Stopped because the account was disabled',
  'account-deleted': 'Stopped because the account was deleted',
  'open-version': 'Restarting with an earlier version',
  'open-file': 'Restarting with a file of yours',
  engine: 'Stopped when Docker restarted (the scene was saved)',
  'engine-change': 'Stopped when the panel moved to another Docker engine (the scene was saved on the previous one, where your files stay)',
};

/**
 * One Blender container per user, with its state rebuilt from Docker (labels) at start-up and
 * kept live by Docker events. Operations on one user run one at a time; different users run
 * side by side.
 */
export class SessionManager {
  /** Every change of any session, as plain data. */
  readonly changed = new Emitter<SessionView>();
  /** A session stopped through the panel, or by an engine restart, and why. */
  readonly stopped = new Emitter<{ userId: string; why: StopReason }>();
  private readonly sessions = new Map<string, Session>();
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Containers booting with the boost, and when it ends by itself. */
  private readonly boosts = new Map<string, NodeJS.Timeout>();
  private readonly clock: () => Date;
  private abort = new AbortController();
  private idleTimer: NodeJS.Timeout | null = null;
  private imageBuild: Promise<void> | null = null;
  private engineCpus = 1;
  private readonly starts = new StartQueue(() => this.deps.settings().maxConcurrentStarts || this.engineCpus);
  private watching: Promise<void> | null = null;
  /**
   * The size Blender's screen was last fitted to on this panel, for anyone: a person's first
   * start draws its first screen there, not at 1600×900 and again when their frame asks.
   */
  private lastFittedScreen: string | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Follows Docker events, adopts what is already running, and starts checking for idle sessions. */
  async init(): Promise<void> {
    this.engineCpus = await this.deps.engine.cpuCount();
    // Listen first, then look: nothing that happens in between is missed.
    const { ended } = await this.openEventStream();
    await this.reconcile();
    this.watching = this.followEvents(ended);
    this.idleTimer = setInterval(() => void this.cleanupIdle().catch((e) => this.log(`idle check failed: ${e}`)), this.deps.idleCheckMs ?? 60_000);
    this.idleTimer.unref();
  }

  async dispose(): Promise<void> {
    for (const id of [...this.boosts.keys()]) this.forgetBoost(id);
    await this.stopFollowing();
    for (const s of this.sessions.values()) s.client?.close();
  }

  /**
   * Before the panel moves to another engine: saves and stops every Blender on this one and stops
   * following it. `init()` then starts over on the new one. Says whose Blender could not be
   * stopped cleanly (an engine that is unreachable), and why.
   */
  async leaveEngine(): Promise<{ username: string; message: string }[]> {
    const active = [...this.sessions.values()].filter((s) => s.containerId && isActive(s.state));
    const outcomes = await Promise.allSettled(active.map((s) => this.stop(s.userId, 'engine-change')));
    const failures = outcomes.flatMap((outcome, i) => {
      const { username } = active[i]!;
      if (outcome.status === 'rejected') return [{ username, message: (outcome.reason as Error).message }];
      const save = outcome.value?.lastSave;
      return save && !save.ok ? [{ username, message: save.message }] : [];
    });
    await this.stopFollowing();
    for (const s of this.sessions.values()) this.release(s, { containerId: null, ...(isActive(s.state) ? { state: 'stopped' as const, reason: STOP_MESSAGES['engine-change'] } : {}) });
    this.abort = new AbortController();
    return failures;
  }

  private async stopFollowing(): Promise<void> {
    this.abort.abort();
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    await this.watching?.catch(() => {});
    this.watching = null;
  }

  list(): SessionView[] {
    return [...this.sessions.values()].map((s) => this.view(s)).sort((a, b) => a.username.localeCompare(b.username));
  }

  get(userId: string): SessionView | null {
    const s = this.sessions.get(userId);
    return s ? this.view(s) : null;
  }

  /** Starts (or restarts, or returns) the user's Blender, reporting each step. */
  start(user: User, onProgress: (p: StartProgress) => void = () => {}, options: StartOptions = {}): Promise<SessionView> {
    return this.exclusive(user.id, () => this.doStart(user, onProgress, {}, options));
  }

  /** The person's saved versions and autosave, read from their running Blender. */
  async savedStates(userId: string): Promise<BlenderResult<'scenes'>> {
    return this.running(userId, () => 'Saved versions are listed from a running Blender: start it first.').client.request('scenes', {});
  }

  /** Saves the open scene (keeping `version`), then starts Blender again on that saved version. */
  openVersion(user: User, version: string, onProgress: (p: StartProgress) => void = () => {}, signal?: AbortSignal): Promise<SessionView> {
    return this.exclusive(user.id, async () => {
      const { client } = this.running(user.id, () => 'Start your Blender first: versions are opened from a running Blender.');
      const { versions } = await client.request('scenes', {});
      if (!versions.some((v) => v.name === version)) throw new AppError('NOT_FOUND', `There is no saved version ${version}`);
      onProgress({ step: 'scene', message: 'Saving the open scene first' });
      await this.doStop(user.id, 'open-version', [version]);
      return this.doStart(user, onProgress, { BLENDER_LAB_OPEN: version }, { signal });
    });
  }

  /** Saves the open scene (as a sign-out does), then starts Blender again on a .blend of the person's own, `path` relative to their home. */
  openFile(user: User, path: string, onProgress: (p: StartProgress) => void = () => {}, signal?: AbortSignal): Promise<SessionView> {
    return this.exclusive(user.id, async () => {
      this.running(user.id, () => 'Start your Blender first: files are opened from a running Blender.');
      onProgress({ step: 'scene', message: 'Saving the open scene first' });
      await this.doStop(user.id, 'open-file');
      return this.doStart(user, onProgress, { BLENDER_LAB_OPEN_FILE: path }, { signal });
    });
  }

  /** Resizes the person's Blender screen (and its window) to the frame showing it, so it is drawn 1:1. */
  async fitScreen(userId: string, width: number, height: number): Promise<{ width: number; height: number }> {
    const { exitCode, stdout } = await this.deps.engine.exec(this.runningContainer(userId), ['/opt/blender-lab/fit-screen.sh', String(width), String(height)]);
    const size = /^(\d+)x(\d+)$/m.exec(stdout);
    if (exitCode !== 0 || !size) throw new AppError('INTERNAL', `Blender's screen could not be resized (exit ${exitCode}); it is scaled to fit instead`);
    this.lastFittedScreen = size[0];
    return { width: Number(size[1]), height: Number(size[2]) };
  }

  /** The container of the person's ready Blender, which the Files view reaches their home through. */
  runningContainer(userId: string): string {
    return this.running(userId, (state) => `Your Blender is not running (${state}): your files are reached through it. Sign in again to start it.`).s.containerId!;
  }

  /** Saves the open scene into the user's volume, then stops the container. A start still waiting in the queue ends at once. */
  stop(userId: string, why: StopReason): Promise<SessionView | null> {
    this.starts.leave(userId);
    return this.exclusive(userId, () => this.doStop(userId, why));
  }

  async stopAll(why: StopReason): Promise<void> {
    await Promise.all([...this.sessions.values()].filter((s) => s.containerId && s.state !== 'stopped').map((s) => this.stop(s.userId, why)));
  }

  /** Runs an add-on command in the user's own Blender; counts as activity. */
  async command<C extends BlenderCommand>(userId: string, command: C, params: BlenderParams<C>, options: { timeoutMs?: number } = {}): Promise<BlenderResult<C>> {
    const { s, client } = this.running(userId, (state) => `Your Blender is not running (${state}). Sign in again to start it.`);
    s.lastActivity = this.clock();
    return client.request(command, params, options);
  }

  /** The person's ready session and its add-on connection, or SESSION_NOT_READY in the words `notReady` gives. */
  private running(userId: string, notReady: (state: SessionState) => string): { s: Session; client: BlenderClient } {
    const s = this.sessions.get(userId);
    if (s?.state === 'reconnecting') {
      throw new AppError('SESSION_NOT_READY', 'The connection to the Docker engine was lost and is being made again; your Blender runs on. Try again in a moment.');
    }
    if (!s || s.state !== 'ready' || !s.client) throw new AppError('SESSION_NOT_READY', notReady(s?.state ?? 'stopped'));
    return { s, client: s.client };
  }

  /** UI activity reported for the user's session. */
  touch(userId: string): void {
    const s = this.sessions.get(userId);
    if (s?.state === 'ready') s.lastActivity = this.clock();
  }

  /** Stops ready sessions idle for longer than the configured timeout; returns whose. */
  async cleanupIdle(): Promise<string[]> {
    const limitMs = this.deps.settings().idleTimeoutMinutes * 60_000;
    const now = this.clock().getTime();
    const idle = [...this.sessions.values()].filter((s) => s.state === 'ready' && s.lastActivity && now - s.lastActivity.getTime() >= limitMs);
    await Promise.all(idle.map((s) => this.stop(s.userId, 'idle')));
    return idle.map((s) => s.userId);
  }

  /** The user's own Blender UI address, secret included (never for anyone else). */
  uiAddress(userId: string): string | null {
    const s = this.sessions.get(userId);
    if (!s || !showsBlender(s.state) || !s.ports || !s.secret) return null;
    return `http://127.0.0.1:${s.ports.ui}/blender-lab.html#token=${screenTokenFor(s.secret)}`;
  }

  /** Every session with its current CPU and memory use (sampled in parallel; null when not running). */
  async listWithStats(): Promise<AdminSessionRow[]> {
    return Promise.all(
      this.list().map(async (view) => {
        const id = this.sessions.get(view.userId)?.containerId;
        const stats = id && view.state === 'ready' ? await this.deps.engine.stats(id).catch(() => null) : null;
        return { ...view, stats };
      }),
    );
  }

  async logs(userId: string, tail = 200): Promise<string> {
    const s = this.sessions.get(userId);
    if (!s?.containerId) throw new AppError('NOT_FOUND', 'This user has no container');
    return this.deps.engine.logs(s.containerId, tail);
  }

  /** Removes the user's container and their data volume. Irreversible; admins only. */
  deleteUserData(userId: string, username: string): Promise<void> {
    return this.exclusive(userId, async () => {
      await this.doStop(userId, 'admin');
      const s = this.sessions.get(userId);
      if (s?.containerId) await this.deps.engine.removeContainer(s.containerId);
      await this.deps.engine.removeVolume(volumeNameFor(username, userId));
      await this.deps.engine.removeNetwork(networkNameFor(username, userId));
      this.sessions.delete(userId);
    });
  }

  // --- starting ---------------------------------------------------------------------------

  private async doStart(user: User, onProgress: (p: StartProgress) => void, open: SceneRequest, { because, signal: cancel }: StartOptions = {}): Promise<SessionView> {
    const checkpoint = () => {
      if (cancel?.aborted) throw cancelled();
    };
    checkpoint();
    const s = this.session(user.id, user.username);
    if (s.state === 'ready' && s.containerId && (await this.deps.engine.inspectContainer(s.containerId))?.running) {
      onProgress({ step: 'ready', message: 'Your Blender is ready' });
      return this.view(s);
    }
    const settings = this.deps.settings();
    const engine = this.deps.engine;
    this.update(s, { state: 'starting', reason: null, warnings: [], oomKilled: false });
    const secret = randomBytes(24).toString('base64url');
    // First come, first served: the place in the queue is taken as the start begins; the
    // preparation (image, volume, network, container) goes on meanwhile, and only booting waits.
    const turn = this.queueTurn(user.id, onProgress);
    let bootSlot: (() => void) | null = null;
    const leaveQueue = () => this.starts.leave(user.id);
    cancel?.addEventListener('abort', leaveQueue, { once: true });
    const waitSignal = cancel ? AbortSignal.any([this.abort.signal, cancel]) : this.abort.signal;
    try {
      onProgress({ step: 'image', message: 'Checking the Blender image' });
      const imageId = await unlessAborted(this.ensureImage(settings.image, onProgress), cancel);
      onProgress({ step: 'volume', message: 'Preparing your files' });
      const labels = this.labelsFor(user);
      await engine.ensureVolume(volumeNameFor(user.username, user.id), labels);
      // A network of their own: other people's containers cannot even connect to this one.
      const network = networkNameFor(user.username, user.id);
      await engine.ensureNetwork(network, labels, settings.networkPool);

      checkpoint();
      const spec = specHash(imageId, settings, network);
      let info = await engine.inspectContainer(containerNameFor(user.username, user.id));
      if (info?.running) {
        // Running but not ready here (started outside the panel, or a start that was cut short):
        // restart it so it gets a fresh secret.
        await engine.stopContainer(info.id, STOP_TIMEOUT_S);
      }
      if (info && info.labels[SPEC_LABEL] !== spec) {
        await engine.removeContainer(info.id); // new image or limits: the data lives in the volume
        info = null;
      }
      const env = await this.credentialEnv(s);
      let ports: PortPair | null = null;
      for (let attempt = 0; ; attempt++) {
        const preferred = info ? pairFrom(info.configuredPorts) : null;
        ports = await this.deps.ports.allocate(user.id, engine.remote ? null : preferred);
        // A local engine publishes on the panel's own ports; a remote one on ports of its own
        // choosing (none fixed), which the panel's own ports reach through tunnels.
        const fits = engine.remote ? preferred === null : preferred?.addon === ports.addon && preferred.ui === ports.ui;
        if (info && !fits) {
          await engine.removeContainer(info.id);
          info = null;
        }
        if (!info) {
          onProgress({ step: 'container', message: 'Creating your Blender container' });
          const id = await engine.createContainer({
            name: containerNameFor(user.username, user.id),
            image: settings.image,
            env: {},
            labels: { ...labels, [SPEC_LABEL]: spec },
            ports: [
              { containerPort: ADDON_PORT, hostPort: engine.remote ? 0 : ports.addon },
              { containerPort: UI_PORT, hostPort: engine.remote ? 0 : ports.ui },
            ],
            volumes: [{ name: volumeNameFor(user.username, user.id), target: '/home/blender' }],
            network,
            limits: { memoryBytes: settings.memoryMiB * 1024 * 1024, nanoCpus: Math.round(settings.cpus * 1e9), pids: settings.pidsLimit },
            stopTimeoutS: STOP_TIMEOUT_S,
          });
          info = await engine.inspectContainer(id);
          if (!info) throw new AppError('INTERNAL', 'The new container vanished before it started');
        }
        this.update(s, { containerId: info.id, ports });
        // The next to boot start their containers while the boots ahead of them end, with Blender
        // held back until their turn: Docker's start and the display are then off the queue's path.
        const letIn = letInSignal(info.labels);
        if (!bootSlot && letIn) await turn.near();
        const held = !bootSlot && letIn !== null && !turn.admitted();
        if (!held) bootSlot ??= await turn.wait();
        const sceneEnv = {
          BLENDER_LAB_AUTOSAVE_SECONDS: String(settings.autosaveSeconds),
          BLENDER_LAB_VERSIONS_KEPT: String(settings.versionsKept),
          ...(this.lastFittedScreen ? { BLENDER_LAB_SCREEN: this.lastFittedScreen } : {}),
          // Those next in line wait for at most the boots under way; a held container left by a panel
          // that is gone for good gives up after twice that.
          ...(held ? { BLENDER_LAB_HOLD_SECONDS: String(2 * settings.startTimeoutSeconds) } : {}),
          ...open,
        };
        await engine.putFile(info.id, SESSION_DIR, SESSION_FILE, sessionEnv({ ...env, ...sceneEnv, BLENDER_LAB_SECRET: secret }), { uid: BLENDER_UID, gid: BLENDER_UID });
        if (!held) onProgress({ step: 'booting', message: 'Starting Blender' });
        await this.boost(info.id, settings);
        checkpoint();
        try {
          await engine.startContainer(info.id);
          break;
        } catch (error) {
          // Something grabbed a port between our check and Docker's bind: try the next slot.
          if (!isAppError(error, 'PORT_TAKEN') || attempt >= 2) throw error;
          this.log(`port taken while starting ${user.username}; trying other ports`);
        }
      }
      const containerId = info.id;
      if (engine.remote) await this.reachPorts(ports, pairFrom((await engine.inspectContainer(containerId))?.ports ?? {}));
      const target = { addonPort: ports.addon, uiPort: ports.ui, secret };
      const whyDead = () => this.whyDead(containerId);
      if (!bootSlot) {
        // A held entrypoint serves the UI only once it listens for its turn: a signal sent
        // earlier could end it.
        const [, slot] = await Promise.all([waitForUi(target, { timeoutMs: settings.startTimeoutSeconds * 1000, whyDead, signal: waitSignal }), turn.wait()]);
        bootSlot = slot;
        onProgress({ step: 'booting', message: 'Starting Blender' });
        await this.boost(containerId, settings); // its bound counts from now, when Blender boots
        await engine.signalContainer(containerId, letInSignal(info.labels)!).catch(async (error) => {
          throw new AppError('START_TIMEOUT', `Blender stopped while waiting for its turn: ${(await whyDead()) ?? (error as Error).message}`);
        });
      }
      this.update(s, { state: 'waiting', secret });
      await waitForBlender(
        target,
        {
          timeoutMs: settings.startTimeoutSeconds * 1000,
          whyDead,
          onStep: (step) =>
            onProgress(step === 'ui' ? { step: 'ui', message: 'Waiting for the Blender window' } : { step: 'addon', message: 'Waiting for Blender to answer' }),
          signal: waitSignal,
        },
      );
      s.client?.close();
      const client = new BlenderClient({ port: ports.addon, secret });
      const opened = await this.openedScene(client);
      if (cancel?.aborted) client.close();
      checkpoint();
      const scene: SceneNotice | null = because ? { kind: 'restarted', at: opened?.at ?? null, message: [because, opened?.message].filter(Boolean).join(' ') } : opened;
      if (scene) onProgress({ step: 'scene', message: scene.message });
      const started = await engine.inspectContainer(containerId);
      this.update(s, {
        state: 'ready',
        client,
        scene,
        startedAt: started?.startedAt ? new Date(started.startedAt) : this.clock(),
        lastActivity: this.clock(),
      });
      // Up (asked for its scene while it still came first): the next in the queue boots now, and
      // this one is held to its configured share.
      bootSlot();
      await this.unboost(containerId);
      onProgress({ step: 'ready', message: 'Your Blender is ready' });
      return this.view(s);
    } catch (error) {
      turn.giveUp();
      if (s.containerId) this.forgetBoost(s.containerId);
      // Whoever asked is gone (however far the start got, the same words), or the queue was left.
      if (cancel?.aborted) throw await this.cancelStart(s, bootSlot !== null, cancelled());
      if (isAppError(error, 'START_CANCELLED')) throw await this.cancelStart(s, false, error);
      throw await this.failStart(s, error, secret);
    } finally {
      cancel?.removeEventListener('abort', leaveQueue);
    }
  }

  /**
   * A start nobody waits for any more. A container held for its turn holds no work yet: it ends at
   * once. A Blender already let in may have opened the person's work: it is saved and stopped as
   * at sign-out.
   */
  private async cancelStart(s: Session, letIn: boolean, error: AppError): Promise<AppError> {
    if (letIn) {
      await this.doStop(s.userId, 'sign-out').catch((e) => this.log(`stopping ${s.username}'s cancelled start failed: ${(e as Error).message}`));
    } else if (s.containerId) {
      // Nothing of the person's runs in it yet: a second is enough even for an entrypoint still
      // starting its display, which has not set its trap yet and ends only when killed.
      await this.deps.engine.stopContainer(s.containerId, HELD_STOP_TIMEOUT_S).catch(() => {});
    }
    this.release(s, { state: 'stopped', reason: error.message });
    return error;
  }

  /**
   * A booting Blender may use every CPU and comes first when they are all busy: the ones already
   * up finish drawing their first screens in the gaps, and the queue moves at the speed of a boot.
   * The boost ends when it is ready, or after `bootBoostMs` whatever happens.
   */
  private async boost(containerId: string, settings: Settings): Promise<void> {
    this.forgetBoost(containerId);
    await this.deps.engine.setCpu(containerId, { shares: BOOT_CPU_SHARES, nanoCpus: Math.max(this.engineCpus, settings.cpus) * 1e9 });
    const timer = setTimeout(() => {
      this.log(`a Blender still booting after ${Math.round(this.bootBoostMs / 1000)} s goes back to its ordinary CPU share`);
      void this.unboost(containerId).catch((e) => this.log(`ending the boot boost failed: ${(e as Error).message}`));
    }, this.bootBoostMs);
    timer.unref();
    this.boosts.set(containerId, timer);
  }

  /** Held to its configured share (a boot ended, or a container taken over that may have been booting). */
  private async unboost(containerId: string): Promise<void> {
    this.forgetBoost(containerId);
    await this.deps.engine.setCpu(containerId, { shares: ORDINARY_CPU_SHARES, nanoCpus: Math.round(this.deps.settings().cpus * 1e9) });
  }

  private forgetBoost(containerId: string): void {
    clearTimeout(this.boosts.get(containerId));
    this.boosts.delete(containerId);
  }

  private get bootBoostMs(): number {
    return this.deps.bootBoostMs ?? BOOT_BOOST_MS;
  }

  /** A place in the start queue, told to the person only once they are waiting for it. */
  private queueTurn(userId: string, onProgress: (p: StartProgress) => void) {
    let waiting = false;
    let place: number | null = null;
    let nearFront = (): void => {};
    const near = new Promise<void>((resolve) => { nearFront = resolve; });
    const tell = (ahead: number) =>
      onProgress({ step: 'queue', message: ahead === 0 ? 'You are next: waiting for another Blender to finish starting' : `${ahead} ${ahead === 1 ? 'person' : 'people'} ahead of you` });
    const ticket = this.starts.enter(userId, (ahead, next) => {
      place = ahead;
      if (next) nearFront();
      if (waiting) tell(ahead);
    });
    let admitted = false;
    ticket.then(() => { admitted = true; }, () => {}); // a start that ends before its turn gives its place up below
    const startWaiting = () => {
      if (waiting) return;
      waiting = true;
      if (!admitted && place !== null) tell(place);
    };
    return {
      admitted: () => admitted,
      /** Waits until this person boots next, as soon as a boot under way ends (or now). */
      near: async () => {
        startWaiting();
        await Promise.race([near, ticket]);
      },
      wait: async () => {
        startWaiting();
        return ticket;
      },
      /** The start ended: leave the queue, or hand the slot back. */
      giveUp: () => {
        this.starts.leave(userId);
        void ticket.then((release) => release(), () => {});
      },
    };
  }

  /** What the entrypoint chose to open, as the person should hear it (logged too). */
  private async openedScene(client: BlenderClient): Promise<SceneNotice | null> {
    try {
      const notice = sceneNotice((await client.request('scenes', {})).opened);
      if (notice) this.log(notice.message);
      return notice;
    } catch (error) {
      this.log(`could not learn which scene was opened: ${(error as Error).message}`);
      return null;
    }
  }

  private async failStart(s: Session, error: unknown, secret: string | null): Promise<AppError> {
    const e = isAppError(error) ? error : new AppError('INTERNAL', String((error as Error)?.message ?? error));
    let reason = e.message;
    if (s.containerId && !/Last log lines/.test(reason)) {
      const logs = (await this.deps.engine.logs(s.containerId, 15).catch(() => '')).trim();
      if (logs) reason += `\nLast log lines:\n${logs}`;
    }
    if (secret) reason = reason.replaceAll(secret, '[hidden]');
    if (s.containerId) {
      await this.deps.engine.stopContainer(s.containerId, 5).catch(() => {});
      // A start cut short before the entrypoint read the session file must not leave it behind.
      await this.deps.engine.putFile(s.containerId, SESSION_DIR, SESSION_FILE, Buffer.alloc(0), { uid: BLENDER_UID, gid: BLENDER_UID }).catch(() => {});
    }
    this.release(s, { state: 'failed', reason });
    return new AppError(e.code, reason, { cause: error });
  }

  private async ensureImage(image: string, onProgress: (p: StartProgress) => void): Promise<string> {
    const engine = this.deps.engine;
    let info = await engine.imageInfo(image);
    if (!info) {
      const source = this.deps.imageSource;
      if (!source) throw new AppError('IMAGE_MISSING', `The Blender image ${image} is missing. Build it with 'npm run image'.`);
      // One build for everyone who signs in meanwhile.
      this.imageBuild ??= ensureBlenderImage(engine, {
        image,
        contextDir: source.contextDir,
        baseImage: source.baseImage,
        onProgress: (p) => onProgress({ step: 'image', message: `Building the Blender image: step ${p.step} of ${p.totalSteps}`, percent: Math.round((p.step / p.totalSteps) * 100) }),
      })
        .then(() => undefined)
        .finally(() => { this.imageBuild = null; });
      await this.imageBuild;
      info = await engine.imageInfo(image);
      if (!info) throw new AppError('IMAGE_MISSING', `The Blender image ${image} is still missing after building it`);
    }
    return info.id;
  }

  private async credentialEnv(s: Session): Promise<Record<string, string>> {
    if (!this.deps.credentials) return {};
    try {
      return await this.deps.credentials.environmentFor(s.userId);
    } catch (error) {
      // Blender still starts; the user learns why their integrations have no keys.
      s.warnings.push(`Integration keys were not passed to Blender: ${(error as Error).message}`);
      return {};
    }
  }

  private async whyDead(containerId: string): Promise<string | null> {
    const info = await this.deps.engine.inspectContainer(containerId);
    if (!info) return 'the container was removed';
    if (info.running) return null;
    return info.oomKilled ? 'it ran out of memory' : `the container exited with code ${info.exitCode}`;
  }

  // --- stopping ---------------------------------------------------------------------------

  private async doStop(userId: string, why: StopReason, protect: string[] = []): Promise<SessionView | null> {
    const s = this.sessions.get(userId);
    if (!s) return null;
    const running = s.containerId ? (await this.deps.engine.inspectContainer(s.containerId))?.running : false;
    if (!running) {
      if (isActive(s.state)) this.release(s, { state: 'stopped', reason: STOP_MESSAGES[why] });
      return this.view(s);
    }
    this.update(s, { state: 'stopping' });
    const lastSave = await this.saveScene(s, protect);
    // Should our save have failed, the entrypoint tries again on SIGTERM.
    try {
      await this.deps.engine.stopContainer(s.containerId!, STOP_TIMEOUT_S);
    } catch (error) {
      // A hung or lost engine: the session says so rather than "stopping" for ever.
      this.release(s, { state: 'failed', reason: `Blender could not be stopped: ${(error as Error).message}`, lastSave });
      throw error;
    }
    this.release(s, { state: 'stopped', reason: STOP_MESSAGES[why], lastSave });
    this.stopped.emit({ userId, why });
    return this.view(s);
  }

  /** Asks Blender to save the open scene; a failure is recorded, and the stop goes on. */
  private async saveScene(s: Session, protect: string[]): Promise<SaveOutcome> {
    const at = this.clock().toISOString();
    const client = s.client ?? (s.ports && s.secret ? new BlenderClient({ port: s.ports.addon, secret: s.secret }) : null);
    if (!client) return { at, ok: false, message: 'Not saved: Blender was not reachable' };
    try {
      const saved = await client.request('save_session', protect.length ? { protect } : {}, { timeoutMs: (STOP_TIMEOUT_S - 10) * 1000 });
      return { at, ok: true, message: `Saved the scene (${saved.objects} objects)` };
    } catch (error) {
      this.log(`saving ${s.username}'s scene failed: ${(error as Error).message}`);
      return { at, ok: false, message: `Not saved: ${(error as Error).message}` };
    } finally {
      if (client !== s.client) client.close();
    }
  }

  // --- Docker's view ----------------------------------------------------------------------

  /**
   * Rebuilds state from the labelled containers Docker has; adopts running ones. The listing may
   * be stale by the time a person's lock is free (a start ran meanwhile), so each decision is
   * taken on a fresh look at that person's current container, under their lock. People are
   * looked at side by side: one whose lock is held (a stop the engine is slow to answer) keeps
   * nobody else waiting.
   */
  async reconcile(): Promise<void> {
    const engine = this.deps.engine;
    const containers = await engine.listContainers(instanceLabels(this.deps.instance));
    const seen = new Set<string>();
    const work: Promise<unknown>[] = [];
    for (const c of containers) {
      const userId = c.labels[LABELS.userId];
      const username = c.labels[LABELS.username];
      if (!userId || !username) continue;
      seen.add(userId);
      work.push(this.exclusive(userId, async () => {
        const s = this.session(userId, username);
        if (s.containerId && s.containerId !== c.id) return; // an older container; the session has moved on
        const info = await engine.inspectContainer(c.id);
        if (!info) {
          if (s.containerId === c.id) this.markRemoved(s);
          return;
        }
        s.containerId = c.id;
        if (!info.running) {
          if (s.state === 'ready' || s.state === 'waiting' || s.state === 'reconnecting') this.markEnded(s, info);
          else if (s.state !== 'failed') this.update(s, { state: 'stopped' });
          return;
        }
        if (s.state === 'ready' && s.client) return;
        // Back after a lost connection: the same Blender, the same tunnels.
        if (s.state === 'reconnecting' && s.client) return void this.update(s, { state: 'ready' });
        await this.adopt(s, c.id);
      }));
    }
    for (const s of this.sessions.values()) {
      if (seen.has(s.userId) || !s.containerId) continue;
      work.push(this.exclusive(s.userId, async () => {
        if (s.containerId && !(await engine.inspectContainer(s.containerId))) this.markRemoved(s);
      }));
    }
    // Everyone is looked at; the first failure is reported once all are done.
    const outcomes = await Promise.allSettled(work);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Takes over a container that is running without us (left by an earlier run of the panel). */
  private async adopt(s: Session, containerId: string): Promise<void> {
    const engine = this.deps.engine;
    const info = await engine.inspectContainer(containerId);
    // Its start event came while a start of ours ran, which has since stopped it: nothing to take over.
    if (!info?.running) return;
    const read = await engine.exec(containerId, ['cat', SECRET_FILE]);
    const secret = read.exitCode === 0 && /^[A-Za-z0-9_-]{16,256}$/.test(read.stdout) ? read.stdout : undefined;
    const published = pairFrom(info.ports);
    if (!secret || !published) {
      this.update(s, { state: 'failed', reason: 'A running container was found that the panel cannot reach; stop it and sign in again.' });
      return;
    }
    let ports = published;
    try {
      if (engine.remote) {
        ports = await this.deps.ports.allocate(s.userId);
        this.update(s, { ports });
        await this.reachPorts(ports, published);
      } else {
        this.deps.ports.claim(s.userId, ports);
      }
    } catch (error) {
      this.release(s, { state: 'failed', reason: `Found ${s.username}'s Blender running but cannot reach it: ${(error as Error).message}` });
      return;
    }
    this.update(s, { state: 'waiting', containerId, ports, secret, reason: null });
    // The last panel may have left it booting with the boost, which nothing would end now.
    await this.unboost(containerId).catch((e) => this.log(`resetting the CPU share of ${s.username}'s Blender failed: ${(e as Error).message}`));
    // A start the last panel held for its turn goes on now; a Blender already up ignores the signal.
    const letIn = letInSignal(info.labels);
    if (letIn) await engine.signalContainer(containerId, letIn).catch(() => {});
    try {
      await waitForBlender({ addonPort: ports.addon, uiPort: ports.ui, secret }, {
        timeoutMs: this.deps.settings().startTimeoutSeconds * 1000,
        whyDead: () => this.whyDead(containerId),
        signal: this.abort.signal,
      });
    } catch (error) {
      this.release(s, { state: 'failed', reason: `Found ${s.username}'s Blender running but it does not answer: ${(error as Error).message}` });
      return;
    }
    s.client?.close();
    this.update(s, {
      state: 'ready',
      client: new BlenderClient({ port: ports.addon, secret }),
      startedAt: info.startedAt ? new Date(info.startedAt) : this.clock(),
      lastActivity: this.clock(),
    });
    this.log(`adopted ${s.username}'s running Blender`);
  }

  /** Once the stream is open: `ended` resolves when it ends (null when it simply closed). */
  private async openEventStream(): Promise<{ ended: Promise<Error | null> }> {
    let ended!: (error: Error | null) => void;
    const end = new Promise<Error | null>((resolve) => { ended = resolve; });
    await this.deps.engine.watchContainers(
      instanceLabels(this.deps.instance),
      (event) => void this.onEvent(event).catch((e) => this.log(`handling ${event.action} failed: ${e}`)),
      ended,
      this.abort.signal,
    );
    return { ended: end };
  }

  /** Reconnects whenever the engine goes away, then reconciles: Docker does not replay what we missed. */
  private async followEvents(ended: Promise<Error | null>): Promise<void> {
    for (;;) {
      const error = await ended;
      if (this.abort.signal.aborted) return;
      // Who was running when the engine went away, or had just been stopped (an engine stops its
      // containers before it closes the stream): if they are not running when it is back, it was the engine.
      const now = performance.now();
      const running = [...this.sessions.values()]
        .filter((s) => s.state === 'ready' || s.state === 'reconnecting' || s.state === 'waiting' || (s.endedOutsideAt !== null && now - s.endedOutsideAt < (STOP_TIMEOUT_S + 10) * 1000))
        .map((s) => s.userId);
      this.log(`Docker event stream ended${error ? `: ${error.message}` : ''}; reconnecting`);
      for (const s of this.sessions.values()) if (s.state === 'ready') this.update(s, { state: 'reconnecting' });
      for (let backoffMs = 500; ; backoffMs = Math.min(backoffMs * 2, 10_000)) {
        await new Promise((r) => setTimeout(r, backoffMs).unref());
        if (this.abort.signal.aborted) return;
        try {
          ({ ended } = await this.openEventStream());
          break;
        } catch {
          // engine still away; try again later
        }
      }
      await this.reconcile().catch((e) => this.log(`reconcile after reconnect failed: ${e}`));
      for (const userId of running) {
        const s = this.sessions.get(userId);
        if (!s || isActive(s.state)) continue;
        this.update(s, { reason: STOP_MESSAGES.engine, endedOutsideAt: null });
        this.log(`${s.username}'s Blender was stopped by the engine restart`);
        this.stopped.emit({ userId, why: 'engine' });
      }
    }
  }

  private async onEvent(event: ContainerEvent): Promise<void> {
    const userId = event.attributes[LABELS.userId];
    const s = userId ? this.sessions.get(userId) : undefined;
    if (!s) {
      if (event.action === 'start' && userId) await this.reconcile();
      return;
    }
    // Events of a container the session has replaced (late, or from a start cut short) say nothing about it now.
    const current = () => s.containerId === event.id;
    if (event.action === 'oom' && current()) s.oomKilled = true;
    // Our own starts and stops produce events too; they are already accounted for.
    if (s.state === 'starting' || s.state === 'stopping') return;
    if (event.action === 'die') {
      await this.exclusive(s.userId, async () => {
        if (!current() || (s.state !== 'ready' && s.state !== 'waiting')) return;
        const info = await this.deps.engine.inspectContainer(event.id);
        if (!info?.running) this.markEnded(s, info);
      });
    } else if (event.action === 'destroy') {
      await this.exclusive(s.userId, async () => {
        if (current() && !(await this.deps.engine.inspectContainer(event.id))) this.markRemoved(s);
      });
    } else if (event.action === 'start') {
      await this.exclusive(s.userId, async () => {
        if ((s.state === 'stopped' || s.state === 'failed') && (current() || !s.containerId)) await this.adopt(s, event.id);
      });
    }
  }

  private markEnded(s: Session, info: ContainerInfo | null): void {
    s.endedOutsideAt = performance.now();
    if (info?.oomKilled || s.oomKilled) {
      this.release(s, { state: 'failed', reason: `Blender ran out of memory (limit ${this.deps.settings().memoryMiB} MiB) and was stopped` });
    } else if (info && info.exitCode === 0) {
      this.release(s, { state: 'stopped', reason: 'Stopped outside the panel' });
    } else {
      this.release(s, { state: 'failed', reason: `Blender stopped unexpectedly (exit code ${info?.exitCode ?? 'unknown'})` });
    }
  }

  private markRemoved(s: Session): void {
    // A removal right after a crash (docker rm -f) ends as removed: the container is gone either way.
    const wasActive = s.state !== 'stopped';
    this.release(s, { containerId: null, ...(wasActive ? { state: 'stopped' as const, reason: 'The container was removed outside the panel' } : {}) });
  }

  /**
   * A remote engine's container published its ports (`published`) on that machine's loopback:
   * they answer on the session's own local ports, through the engine's connection.
   */
  private async reachPorts(ports: PortPair, published: PortPair | null): Promise<void> {
    if (!published) throw new AppError('INTERNAL', 'The container is running but published no ports');
    await this.deps.engine.reach(ports.addon, published.addon);
    await this.deps.engine.reach(ports.ui, published.ui);
  }

  /** The container is no longer ours to talk to: drop the connection, the tunnels and the ports, and record the outcome. */
  private release(s: Session, outcome: Partial<Session>): void {
    s.client?.close();
    if (s.ports) {
      this.deps.engine.unreach(s.ports.addon);
      this.deps.engine.unreach(s.ports.ui);
    }
    this.deps.ports.release(s.userId);
    this.update(s, { client: null, secret: null, ports: null, startedAt: null, ...outcome });
  }

  // --- plumbing ---------------------------------------------------------------------------

  private session(userId: string, username: string): Session {
    let s = this.sessions.get(userId);
    if (!s) {
      s = {
        userId, username, state: 'stopped', reason: null, containerId: null, ports: null, secret: null,
        startedAt: null, lastActivity: null, lastSave: null, scene: null, warnings: [], client: null, oomKilled: false, endedOutsideAt: null,
      };
      this.sessions.set(userId, s);
    }
    return s;
  }

  private labelsFor(user: User): Record<string, string> {
    return { ...instanceLabels(this.deps.instance), [LABELS.userId]: user.id, [LABELS.username]: user.username };
  }

  private update(s: Session, change: Partial<Session>): void {
    Object.assign(s, change);
    this.changed.emit(this.view(s));
  }

  private view(s: Session): SessionView {
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

  private exclusive<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    const settled = next.catch(() => {});
    this.queues.set(userId, settled);
    void settled.then(() => { if (this.queues.get(userId) === settled) this.queues.delete(userId); });
    return next;
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.error(`[sessions] ${m}`)))(message);
  }
}

/** `work`, or the cancellation as soon as `signal` aborts (work shared with others, such as an image build, goes on). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(cancelled());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function letInSignal(labels: Record<string, string>): string | null {
  const signal = labels[LET_IN_LABEL];
  return signal && /^SIG[A-Z0-9]{2,8}$/.test(signal) ? signal : null;
}

function pairFrom(ports: Record<number, number>): PortPair | null {
  const addon = ports[ADDON_PORT];
  const ui = ports[UI_PORT];
  return addon && ui ? { addon, ui } : null;
}

/** What decides whether an existing container still fits: the image and the limits. */
function specHash(imageId: string, s: Settings, network: string): string {
  return createHash('sha256').update(JSON.stringify([CONTAINER_GENERATION, imageId, s.memoryMiB, s.cpus, s.pidsLimit, network])).digest('hex').slice(0, 16);
}

/** NAME='value' lines the entrypoint sources; values are single-quoted so nothing in them runs. */
function sessionEnv(env: Record<string, string>): Buffer {
  const lines = Object.entries(env).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new AppError('INVALID_INPUT', `Bad environment name ${name}`);
    return `${name}='${value.replace(/'/g, `'\\''`)}'`;
  });
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}
