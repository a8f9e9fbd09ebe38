import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import { dockerStatus, toEngineError } from './engine-errors';
import { KnownHosts } from './ssh/known-hosts';
import { parseSshEndpoint, SshLink, type SshAuthOptions } from './ssh/ssh-link';
import { relayTo, type Tunnels } from './tunnels';
import { readStdout } from './exec-output';
import { readFirstFile, tarOneFile, tarOneFileStream } from './tar';

export interface PortBinding {
  containerPort: number;
  /** 0 lets Docker choose a free port. */
  hostPort: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  ports: PortBinding[];
  volumes: { name: string; target: string }[];
  limits: { memoryBytes: number; nanoCpus: number; pids: number };
  /** A network of the container's own; Docker's default bridge when absent. */
  network?: string;
  /** How long `docker stop` (ours, anyone's, the engine's on shutdown) waits before killing. */
  stopTimeoutS?: number;
}

/** Size caps on what a container writes outside its data volume. */
export const WRITE_LIMITS = {
  /** Each container's log: json-file, rotated, at most maxFiles × maxSize. */
  log: { maxSize: '10m', maxFiles: '3' },
  /** /tmp is memory (counted in the container's memory limit) and ends with the container. */
  tmp: 'rw,nosuid,nodev,size=512m,mode=1777',
  /** Where the entrypoint keeps the session secret while the container runs. */
  run: 'rw,nosuid,nodev,noexec,size=64k,uid=1000,gid=1000,mode=0700',
} as const;

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  status: string;
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  health: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  labels: Record<string, string>;
  /** containerPort → host port on 127.0.0.1, for running containers. */
  ports: Record<number, number>;
  /** containerPort → host port the container was created to publish (0: Docker's choice). */
  configuredPorts: Record<number, number>;
}

export interface ContainerEvent {
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

interface RawStats {
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage?: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number } };
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
}

export interface BuildProgress {
  step: number;
  totalSteps: number;
  message: string;
}

/** Where a tcp:// engine's TLS certificates are, as files: the CA that signed the engine's, and the panel's own. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** TLS files from the settings, else Docker's own convention (DOCKER_TLS_VERIFY with DOCKER_CERT_PATH), else none. */
export function tlsFilesFrom(settings: { tlsCaPath: string; tlsCertPath: string; tlsKeyPath: string }, env: NodeJS.ProcessEnv = process.env): TlsFiles | null {
  if (settings.tlsCaPath && settings.tlsCertPath && settings.tlsKeyPath) return { ca: settings.tlsCaPath, cert: settings.tlsCertPath, key: settings.tlsKeyPath };
  const dir = env.DOCKER_CERT_PATH;
  if (env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0' && dir) return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  return null;
}

function readTlsFile(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `Cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** What an ssh:// engine needs: whose host keys to trust, and how to sign in. */
export interface SshAccess {
  knownHosts: KnownHosts;
  auth: SshAuthOptions;
}

/** The person's own known_hosts and the panel's file of keys accepted in Settings; the agent and the configured or default keys. */
export function sshAccessFor(settings: { sshKeyPath: string }, dataDir: string, env: NodeJS.ProcessEnv = process.env): SshAccess {
  const home = env.HOME || os.homedir();
  return {
    knownHosts: new KnownHosts([path.join(home, '.ssh', 'known_hosts')], path.join(dataDir, 'known_hosts')),
    auth: { keyPath: settings.sshKeyPath || undefined, agentSocket: env.SSH_AUTH_SOCK || undefined, home },
  };
}

/**
 * How to reach a local-socket or TLS engine: `endpoint`, else DOCKER_HOST, else the local socket.
 * DOCKER_HOST goes through the same rules, so it cannot bring back a plain-text engine.
 */
export function dockerOptions(endpoint: string | undefined, tls: TlsFiles | null = null, env: NodeJS.ProcessEnv = process.env): Docker.DockerOptions | undefined {
  endpoint ||= env.DOCKER_HOST;
  if (!endpoint) return undefined;
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'npipe:') return { socketPath: endpoint.slice('npipe://'.length) };
  if (url.protocol === 'tcp:') {
    if (!tls) {
      throw new AppError(
        'INVALID_INPUT',
        `${endpoint} is plain text: session secrets and integration keys would cross the network readable. Use TLS the way Docker does ` +
          '(DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH holding ca.pem, cert.pem and key.pem, or the settings tlsCaPath, tlsCertPath and tlsKeyPath), or ssh://.',
      );
    }
    return {
      protocol: 'https',
      host: url.hostname,
      port: Number(url.port || 2376),
      ca: readTlsFile('CA certificate', tls.ca),
      cert: readTlsFile('certificate', tls.cert),
      key: readTlsFile('key', tls.key),
    };
  }
  throw new AppError('INVALID_INPUT', `Unsupported Docker endpoint '${endpoint}': use unix:///path/to/docker.sock, ssh://user@host or tcp://host:port with TLS`);
}

/** Refuses, with the reason, an endpoint the panel will not use (plain text, a malformed ssh:// address). */
export function checkEndpoint(endpoint: string | undefined, tls: TlsFiles | null, env: NodeJS.ProcessEnv = process.env): void {
  endpoint ||= env.DOCKER_HOST;
  if (endpoint?.startsWith('ssh://')) parseSshEndpoint(endpoint);
  else dockerOptions(endpoint, tls, env);
}

/** How an engine is reached beyond its API: TLS files, SSH trust and keys, the address a TLS engine publishes session ports on. */
export interface EngineAccess {
  tls?: TlsFiles | null;
  ssh?: SshAccess | null;
  /** Where a tcp:// engine publishes session ports (its host's address the panel reaches); empty: 127.0.0.1. */
  publishAddress?: string;
}

interface Connection {
  docker: Docker;
  link: SshLink | null;
  /** How the panel reaches session ports on another machine; null: they are published on this one. */
  tunnels: Tunnels | null;
  /** The host address containers publish their ports on. */
  publishHost: string;
}

function closeConnection(connection: Connection): void {
  connection.tunnels?.closeAll();
  connection.link?.close();
}

/** How long Docker may take to answer a request that is not a stream. */
export const DOCKER_DEADLINE_MS = 30_000;
/** A command run in a container (a files helper, the screen fitter) answers in seconds; a large delete takes longer. */
const EXEC_DEADLINES = 4;

/** The only code that talks to Docker. Every failure comes out as an AppError with a stable code. */
export class Engine {
  private current: Connection;
  /** How long an ordinary request may take (DOCKER_DEADLINE_MS unless a test says otherwise). */
  deadlineMs = DOCKER_DEADLINE_MS;

  constructor(docker: Docker, reach: { link?: SshLink; tunnels?: Tunnels; publishHost?: string } = {}) {
    this.current = { docker, link: reach.link ?? null, tunnels: reach.link?.tunnels ?? reach.tunnels ?? null, publishHost: reach.publishHost ?? '127.0.0.1' };
  }

  static connect(endpoint?: string, access: EngineAccess = {}, env: NodeJS.ProcessEnv = process.env): Engine {
    endpoint ||= env.DOCKER_HOST;
    if (endpoint?.startsWith('ssh://')) {
      const target = parseSshEndpoint(endpoint);
      if (!access.ssh) throw new AppError('INVALID_INPUT', `${endpoint} needs SSH settings (known hosts and keys)`);
      const link = new SshLink(target, access.ssh.knownHosts, access.ssh.auth);
      // Every request is a channel of the one SSH connection; the host name is never looked up.
      return new Engine(new Docker({ protocol: 'http', host: 'docker.invalid', port: 80, agent: link.agent } as Docker.DockerOptions), { link });
    }
    const docker = new Docker(dockerOptions(endpoint, access.tls ?? null, env));
    if (endpoint?.startsWith('tcp://')) {
      // Another machine: its containers publish where the panel can reach them, which the panel
      // brings to its own 127.0.0.1, so the frame and its policy never see another address.
      const publishHost = access.publishAddress || '127.0.0.1';
      return new Engine(docker, { tunnels: relayTo(publishHost), publishHost });
    }
    return new Engine(docker);
  }

  get docker(): Docker {
    return this.current.docker;
  }

  get link(): SshLink | null {
    return this.current.link;
  }

  /** From now on talks to `next`'s engine (an endpoint changed in Settings); the old connection and its tunnels are closed. */
  switchTo(next: Engine): void {
    if (next.current === this.current) return;
    const old = this.current;
    this.current = next.current;
    closeConnection(old);
  }

  /**
   * Whether containers publish on ports of Docker's choosing on another machine, reached through
   * tunnels (`reach`), rather than on the ports the panel chose on this one.
   */
  get remote(): boolean {
    return this.current.tunnels !== null;
  }

  /** Makes a port the engine published answer on this machine's 127.0.0.1:`localPort`. */
  async reach(localPort: number, enginePort: number): Promise<void> {
    if (this.current.tunnels) await this.current.tunnels.forward(localPort, enginePort);
    else if (localPort !== enginePort) throw new AppError('INTERNAL', `A local engine publishes on the panel's own ports (${localPort}, not ${enginePort})`);
  }

  /** Closes what `reach` opened for `localPort`. */
  unreach(localPort: number): void {
    this.current.tunnels?.close(localPort);
  }

  /** Ends the connection to a remote engine and its tunnels. */
  close(): void {
    closeConnection(this.current);
  }

  async ping(): Promise<void> {
    await this.call('reach Docker', (abortSignal) => (this.docker.ping as unknown as (opts: object) => Promise<unknown>).call(this.docker, { abortSignal }));
  }

  /** How many CPUs the engine's host has. */
  async cpuCount(): Promise<number> {
    const info = this.docker.info as unknown as (opts: object) => Promise<{ NCPU?: number }>;
    return this.call('read the engine\'s CPU count', async (abortSignal) => (await info.call(this.docker, { abortSignal })).NCPU || 1);
  }

  async imageInfo(name: string): Promise<ImageInfo | null> {
    return this.call(`inspect image ${name}`, async (abortSignal) => {
      const info = await this.docker.getImage(name).inspect({ abortSignal } as object);
      return { id: info.Id, labels: info.Config?.Labels ?? {} };
    }, { 404: () => null });
  }

  /** Builds `contextDir` (all of `files`, relative paths) into `tag`, reporting each Dockerfile step. */
  async buildImage(
    contextDir: string,
    files: string[],
    options: { tag: string; buildArgs?: Record<string, string>; labels?: Record<string, string>; onProgress?: (p: BuildProgress) => void },
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(
        { context: contextDir, src: files },
        {
          t: options.tag,
          buildargs: options.buildArgs ?? {},
          labels: options.labels ?? {},
          networkmode: 'host',
          rm: true,
          forcerm: true,
        },
      );
    } catch (error) {
      throw toEngineError(error, `build image ${options.tag}`);
    }
    const tail: string[] = [];
    let failure: string | null = null;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(toEngineError(err, `build image ${options.tag}`)) : resolve()),
        (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) failure = event.errorDetail?.message ?? event.error;
          const line = event.stream?.trim();
          if (!line) return;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          const step = /^Step (\d+)\/(\d+) : (.*)$/s.exec(line);
          if (step) {
            options.onProgress?.({ step: Number(step[1]), totalSteps: Number(step[2]), message: step[3]!.slice(0, 200) });
          }
        },
      );
    });
    if (failure) {
      throw new AppError('IMAGE_BUILD_FAILED', `Building ${options.tag} failed: ${failure}\n${tail.join('\n')}`);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const { containerPort, hostPort } of spec.ports) {
      exposed[`${containerPort}/tcp`] = {};
      // Loopback only, unless a TLS engine was given an address to publish on: then the session secret gates both ports.
      bindings[`${containerPort}/tcp`] = [{ HostIp: this.current.publishHost, HostPort: hostPort ? String(hostPort) : '' }];
    }
    return this.call(`create container ${spec.name}`, async (abortSignal) => {
      const container = await this.docker.createContainer({
        abortSignal,
        name: spec.name,
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        ExposedPorts: exposed,
        ...(spec.stopTimeoutS ? { StopTimeout: spec.stopTimeoutS } : {}),
        HostConfig: {
          PortBindings: bindings,
          Mounts: spec.volumes.map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target })),
          Memory: spec.limits.memoryBytes,
          MemorySwap: spec.limits.memoryBytes,
          NanoCpus: spec.limits.nanoCpus,
          PidsLimit: spec.limits.pids,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges:true'],
          Init: false,
          RestartPolicy: { Name: 'no' },
          LogConfig: { Type: 'json-file', Config: { 'max-size': WRITE_LIMITS.log.maxSize, 'max-file': WRITE_LIMITS.log.maxFiles } },
          Tmpfs: { '/tmp': WRITE_LIMITS.tmp, '/run/blender-lab': WRITE_LIMITS.run },
          ...(spec.network ? { NetworkMode: spec.network } : {}),
        },
      } as Docker.ContainerCreateOptions);
      return container.id;
    });
  }

  /**
   * Sets a container's CPU use: its weight against others when the CPUs are all busy (1024 is an
   * ordinary share) and how many CPUs it may use at most.
   */
  async setCpu(id: string, cpu: { shares: number; nanoCpus: number }): Promise<void> {
    await this.call(`set the CPU weight of ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).update({ CpuShares: cpu.shares, NanoCpus: cpu.nanoCpus, abortSignal }));
  }

  async startContainer(id: string): Promise<void> {
    // 304: already running.
    await this.call(`start container ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).start({ abortSignal }), { 304: () => undefined });
  }

  /** Stops a container, giving it `timeoutS` to end by itself (the entrypoint saves on SIGTERM) before the engine kills it. */
  async stopContainer(id: string, timeoutS = 10): Promise<void> {
    // 304: already stopped. The engine itself waits up to timeoutS before it answers.
    await this.call(`stop container ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).stop({ t: timeoutS, abortSignal }), { 304: () => undefined }, timeoutS * 1000 + this.deadlineMs);
  }

  async killContainer(id: string): Promise<void> {
    // 409: not running.
    await this.call(`kill container ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).kill({ abortSignal }), { 409: () => undefined });
  }

  /** Sends a signal to a running container's main process. */
  async signalContainer(id: string, signal: string): Promise<void> {
    await this.call(`signal container ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).kill({ signal, abortSignal }));
  }

  async removeContainer(id: string): Promise<void> {
    // `v` removes only anonymous volumes; a user's named data volume is never touched here.
    await this.call(`remove container ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).remove({ force: true, v: true, abortSignal }), { 404: () => undefined });
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    const info = await this.call(`inspect container ${idOrName}`, (abortSignal) => this.docker.getContainer(idOrName).inspect({ abortSignal }) as Promise<Docker.ContainerInspectInfo | null>, { 404: () => null });
    if (!info) return null;
    const ports: Record<number, number> = {};
    for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
      const hostPort = binds?.find((b) => b.HostIp === this.current.publishHost)?.HostPort;
      if (hostPort) ports[Number.parseInt(key, 10)] = Number(hostPort);
    }
    const configuredPorts: Record<number, number> = {};
    for (const [key, binds] of Object.entries(info.HostConfig?.PortBindings ?? {}) as [string, { HostPort?: string }[] | null][]) {
      configuredPorts[Number.parseInt(key, 10)] = Number(binds?.[0]?.HostPort || 0);
    }
    const never = (t: string | undefined) => (!t || t.startsWith('0001-') ? null : t);
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      imageId: info.Image,
      status: info.State.Status,
      running: info.State.Running,
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      health: (info.State as { Health?: { Status?: string } }).Health?.Status ?? null,
      startedAt: never(info.State.StartedAt),
      finishedAt: never(info.State.FinishedAt),
      labels: info.Config.Labels ?? {},
      ports,
      configuredPorts,
    };
  }

  /** Containers (running or not) carrying all of `labels`. */
  async listContainers(labels: Record<string, string>): Promise<{ id: string; name: string; state: string; labels: Record<string, string> }[]> {
    return this.call('list containers', async (abortSignal) => {
      const list = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) }, abortSignal });
      return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State, labels: c.Labels }));
    });
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    await this.call(`create volume ${name}`, (abortSignal) => this.docker.createVolume({ Name: name, Labels: labels, abortSignal }));
  }

  async volumeExists(name: string): Promise<boolean> {
    return this.call(`inspect volume ${name}`, async (abortSignal) => (await this.docker.getVolume(name).inspect({ abortSignal }), true), { 404: () => false });
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, (abortSignal) => this.docker.getVolume(name).remove({ abortSignal }), { 404: () => undefined });
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    return this.call('list volumes', async (abortSignal) => {
      const { Volumes } = await this.docker.listVolumes({ filters: { label: labelFilter(labels) }, abortSignal });
      return (Volumes ?? []).map((v) => v.Name);
    });
  }

  /**
   * Makes `name`, one person's own bridge network (reachable outward, not from other networks),
   * unless it exists, on the first /29 of `pool` no network of the engine uses. Docker's default
   * pools hold about 30 networks in all; a lab has more people.
   */
  async ensureNetwork(name: string, labels: Record<string, string>, pool: string): Promise<void> {
    // 409: made meanwhile by another start.
    await this.call(`create network ${name}`, (abortSignal) => this.makeNetwork(name, labels, pool, abortSignal), { 409: () => undefined });
  }

  private async makeNetwork(name: string, labels: Record<string, string>, pool: string, abortSignal: AbortSignal): Promise<void> {
    const existing = await this.docker.listNetworks({ abortSignal });
    if (existing.some((n) => n.Name === name)) return;
    const taken = existing.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
    for (const subnet of smallSubnets(pool)) {
      if (taken.some((t) => overlaps(t, subnet))) continue;
      try {
        await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] }, abortSignal } as Docker.NetworkCreateOptions);
        return;
      } catch (error) {
        // Taken meanwhile by another panel sharing the engine: the next one.
        if (!/overlap/i.test(String((error as Error).message))) throw error;
      }
    }
    throw new AppError('CONFLICT', `Every /29 of the session network pool ${pool} is in use: make networkPool larger`);
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(`remove network ${name}`, (abortSignal) => this.docker.getNetwork(name).remove({ abortSignal }), { 404: () => undefined });
  }

  async listNetworks(labels: Record<string, string>): Promise<string[]> {
    return this.call('list networks', async (abortSignal) => (await this.docker.listNetworks({ filters: { label: labelFilter(labels) }, abortSignal })).map((n) => n.Name));
  }

  /**
   * Runs a command in a running container and returns what it printed on stdout, read as it
   * arrives and cut off beyond `maxBytes` (the container is not trusted to stop talking). `env`
   * adds to or overrides the container's environment for this command only.
   */
  async exec(id: string, cmd: string[], opts: { env?: Record<string, string>; maxBytes?: number } = {}): Promise<{ exitCode: number; stdout: string }> {
    const what = `run ${cmd[0]} in ${id.slice(0, 12)}`;
    // 404, 409: the container is gone or not running.
    const stopped = () => ({ exitCode: -1, stdout: '' });
    return this.call(what, async (abortSignal) => {
      const Env = opts.env ? Object.entries(opts.env).map(([name, value]) => `${name}=${value}`) : undefined;
      const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false, Env, WorkingDir: '/', abortSignal });
      const stream = await exec.start({ hijack: true, stdin: false, abortSignal });
      abortSignal.addEventListener('abort', () => (stream as unknown as { destroy(): void }).destroy(), { once: true });
      const stdout = await readStdout(stream, (from, out, err) => this.docker.modem.demuxStream(from, out, err), opts.maxBytes, `${cmd[0]} in ${id.slice(0, 12)}`);
      const { ExitCode } = await exec.inspect({ abortSignal });
      return { exitCode: ExitCode ?? -1, stdout };
    }, { 404: stopped, 409: stopped }, EXEC_DEADLINES * this.deadlineMs);
  }

  /** Writes one file into a container (running or not), e.g. the per-start session file. */
  async putFile(id: string, dir: string, name: string, data: Buffer, owner: { uid: number; gid: number }): Promise<void> {
    await this.call(`write ${dir}/${name} into ${id.slice(0, 12)}`, (abortSignal) => this.docker.getContainer(id).putArchive(tarOneFile(name, data, { mode: 0o600, ...owner }) as never, { path: dir, abortSignal }));
  }

  /** Streams one file of `size` bytes into a container through the archive API; nothing is held whole. */
  async putFileStream(id: string, dir: string, name: string, size: number, body: AsyncIterable<Uint8Array>, owner: { uid: number; gid: number }): Promise<void> {
    const archive = tarOneFileStream(name, size, body, { mode: 0o644, ...owner });
    let bodyError: unknown = null;
    archive.on('error', (error) => (bodyError = error));
    try {
      await this.docker.getContainer(id).putArchive(archive, { path: dir });
    } catch (error) {
      if (bodyError) throw bodyError;
      throw toEngineError(error, `write ${dir}/${name} into ${id.slice(0, 12)}`);
    }
    if (bodyError) throw bodyError;
  }

  /** A path of a container as a tar stream (a file or a whole folder), through the archive API. */
  async readArchive(id: string, filePath: string): Promise<AsyncIterable<Buffer>> {
    // The deadline is for the engine to begin answering; the bytes then come at the reader's pace.
    return this.call(`read ${filePath} from ${id.slice(0, 12)}`, async () => (await this.docker.getContainer(id).getArchive({ path: filePath })) as AsyncIterable<Buffer>, {
      404: () => {
        throw new AppError('NOT_FOUND', `${filePath} is not there`);
      },
    });
  }

  /** Reads one file out of a container, at most `maxBytes` of it, or null when it is not there. */
  async readFile(id: string, filePath: string, maxBytes: number): Promise<Buffer | null> {
    return this.call(`read ${filePath} from ${id.slice(0, 12)}`, async (abortSignal) => {
      const stream = await this.docker.getContainer(id).getArchive({ path: filePath, abortSignal } as { path: string });
      return readFirstFile(stream as AsyncIterable<Buffer>, maxBytes, filePath);
    }, { 404: () => null });
  }

  /**
   * Follows container events for containers with `labels`, until `signal` aborts. The stream ends
   * when the engine goes away; `onEnd` says so, and the caller reconnects and reconciles
   * (Docker keeps only its last 1000 events, so replay is not to be relied on).
   */
  async watchContainers(
    labels: Record<string, string>,
    onEvent: (event: ContainerEvent) => void,
    onEnd: (error: Error | null) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getEvents({
        filters: JSON.stringify({ type: ['container'], label: labelFilter(labels) }) as never,
        abortSignal: signal,
      } as never)) as unknown as NodeJS.ReadableStream;
    } catch (error) {
      throw toEngineError(error, 'follow Docker events');
    }
    let buffered = '';
    let ended = false;
    const end = (error: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(signal.aborted ? null : error);
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        try {
          const raw = JSON.parse(line) as { Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
          const id = raw.Actor?.ID ?? raw.id;
          if (raw.Action && id) onEvent({ action: raw.Action, id, attributes: raw.Actor?.Attributes ?? {} });
        } catch {
          // a line we cannot read is skipped; the next reconcile corrects any state it carried
        }
      }
    });
    stream.on('end', () => end(null));
    stream.on('close', () => end(null));
    stream.on('error', (error: Error) => end(error));
  }

  /** One sample of a running container's CPU (percent of one core) and memory use. */
  async stats(id: string): Promise<ContainerStats | null> {
    // 404, 409: gone or not running.
    return this.call(`read stats of ${id.slice(0, 12)}`, async (abortSignal) => {
      const raw = (await this.docker.getContainer(id).stats({ stream: false, abortSignal } as { stream: false })) as unknown as RawStats;
      const cpuDelta = raw.cpu_stats.cpu_usage.total_usage - (raw.precpu_stats.cpu_usage?.total_usage ?? 0);
      const systemDelta = (raw.cpu_stats.system_cpu_usage ?? 0) - (raw.precpu_stats.system_cpu_usage ?? 0);
      const cpus = raw.cpu_stats.online_cpus ?? 1;
      const cache = raw.memory_stats.stats?.inactive_file ?? raw.memory_stats.stats?.total_inactive_file ?? 0;
      return {
        cpuPercent: systemDelta > 0 && cpuDelta >= 0 ? Math.round((cpuDelta / systemDelta) * cpus * 1000) / 10 : 0,
        memoryBytes: Math.max(0, (raw.memory_stats.usage ?? 0) - cache),
        memoryLimitBytes: raw.memory_stats.limit ?? 0,
      } satisfies ContainerStats as ContainerStats | null;
    }, { 404: () => null, 409: () => null });
  }

  /** The last `tail` lines of a container's stdout and stderr, interleaved as written. */
  async logs(id: string, tail = 50): Promise<string> {
    return this.call(`read logs of ${id.slice(0, 12)}`, async (abortSignal) => {
      const raw = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail, abortSignal })) as unknown as Buffer;
      return demultiplex(raw);
    });
  }

  /**
   * Every request that is not a stream goes through here: it gets a deadline (a hung engine
   * must not keep a sign-out waiting for ever), the answers in `expected` (status → result, such
   * as 404 for "already gone") are taken as results, and anything else becomes an AppError that
   * says what the panel was doing.
   */
  private async call<T>(what: string, work: (signal: AbortSignal) => Promise<T>, expected: Partial<Record<number, () => T>> = {}, deadlineMs = this.deadlineMs): Promise<T> {
    const hungFor = () => new AppError('DOCKER_TIMEOUT', `Docker did not answer within ${Math.round(deadlineMs / 1000)} s when asked to ${what}`);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    const hung = new Promise<never>((_resolve, reject) => {
      deadline.signal.addEventListener('abort', () => reject(hungFor()), { once: true });
    });
    try {
      // The race ends the wait even where a request cannot be aborted.
      return await Promise.race([work(deadline.signal), hung]);
    } catch (error) {
      if (deadline.signal.aborted) throw hungFor();
      const status = dockerStatus(error);
      const answer = status === undefined ? undefined : expected[status];
      if (answer) return answer();
      throw toEngineError(error, what);
    } finally {
      clearTimeout(timer);
      hung.catch(() => {});
    }
  }
}

function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/** Non-TTY logs come as frames: [stream, 0, 0, 0, size(4 bytes BE)] + payload; stdout and stderr stay interleaved as written. */
export function demultiplex(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const kind = raw[offset]!;
    const size = raw.readUInt32BE(offset + 4);
    if (kind > 2 || raw[offset + 1] !== 0 || raw[offset + 2] !== 0 || raw[offset + 3] !== 0) {
      return raw.toString('utf8'); // not multiplexed (a TTY container)
    }
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

function range(cidr: string): [number, number] | null {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return null; // IPv6 and anything else never overlaps an IPv4 pool
  const size = 2 ** (32 - Number(match[2]));
  const start = Math.floor(toNumber(match[1]!) / size) * size;
  return [start, start + size - 1];
}

function overlaps(a: string, b: string): boolean {
  const ra = range(a);
  const rb = range(b);
  return !!ra && !!rb && ra[0] <= rb[1] && rb[0] <= ra[1];
}

/** The /29 subnets of an IPv4 pool, in order. */
export function* smallSubnets(pool: string): Generator<string> {
  const bounds = range(pool);
  if (!bounds) return;
  for (let start = bounds[0]; start + 7 <= bounds[1]; start += 8) yield `${toIp(start)}/29`;
}
