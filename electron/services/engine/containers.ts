import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerInfo, ContainerOps, ContainerSpec, ContainerStats, ContainerSummary } from './container-engine';
import { labelFilter, short, type DockerCalls } from './docker-calls';
import { readStdout } from './exec-output';

/** Size caps on what a container writes outside its data volume. */
const WRITE_LIMITS = {
  /** Each container's log: json-file, rotated, at most maxFiles × maxSize. */
  log: { maxSize: '10m', maxFiles: '3' },
  /** /tmp is memory (counted in the container's memory limit) and ends with the container. */
  tmp: 'rw,nosuid,nodev,size=512m,mode=1777',
} as const;

/** A command run in a container (a files helper, the screen fitter) answers in seconds; a large delete takes longer. */
const EXEC_DEADLINES = 4;

interface RawStats {
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage?: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number } };
}

/** Containers of a single Docker engine: hardened on creation, limits, signals, exec, stats and logs. */
export class DockerContainers implements ContainerOps {
  constructor(private readonly api: DockerCalls) {}

  async create(spec: ContainerSpec): Promise<string> {
    const config = containerConfig(spec, this.api.connection.publishHost);
    return this.api.call(`create container ${spec.name}`, async (abortSignal) => (await this.api.docker.createContainer({ ...config, abortSignal } as Docker.ContainerCreateOptions)).id);
  }

  async setCpu(id: string, cpu: { shares: number; nanoCpus: number }): Promise<void> {
    await this.api.call(`set the CPU weight of ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).update({ CpuShares: cpu.shares, NanoCpus: cpu.nanoCpus, abortSignal }));
  }

  async start(id: string): Promise<void> {
    // 304: already running.
    await this.api.call(`start container ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).start({ abortSignal }), { 304: () => undefined });
  }

  async stop(id: string, timeoutS = 10): Promise<void> {
    // 304: already stopped. The engine itself waits up to timeoutS before it answers.
    const deadline = timeoutS * 1000 + this.api.deadlineMs;
    await this.api.call(`stop container ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).stop({ t: timeoutS, abortSignal }), { 304: () => undefined }, deadline);
  }

  async kill(id: string): Promise<void> {
    // 409: not running.
    await this.api.call(`kill container ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).kill({ abortSignal }), { 409: () => undefined });
  }

  async signal(id: string, signal: string): Promise<void> {
    await this.api.call(`signal container ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).kill({ signal, abortSignal }));
  }

  async remove(id: string): Promise<void> {
    // `v` removes only anonymous volumes; a user's named data volume is never touched here.
    await this.api.call(`remove container ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).remove({ force: true, v: true, abortSignal }), { 404: () => undefined });
  }

  async inspect(idOrName: string): Promise<ContainerInfo | null> {
    const info = await this.api.call(`inspect container ${idOrName}`, (abortSignal) => this.api.docker.getContainer(idOrName).inspect({ abortSignal }) as Promise<Docker.ContainerInspectInfo | null>, { 404: () => null });
    return info && infoFrom(info, this.api.connection.publishHost);
  }

  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return this.api.call('list containers', async (abortSignal) => {
      const list = await this.api.docker.listContainers({ all: true, filters: { label: labelFilter(labels) }, abortSignal });
      return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State, labels: c.Labels }));
    });
  }

  /**
   * Runs a command in a running container and returns what it printed on stdout, read as it
   * arrives and cut off beyond `maxBytes` (the container is not trusted to stop talking). `env`
   * adds to or overrides the container's environment for this command only.
   */
  async exec(id: string, cmd: string[], opts: { env?: Record<string, string>; maxBytes?: number } = {}): Promise<{ exitCode: number; stdout: string }> {
    // 404, 409: the container is gone or not running.
    const stopped = () => ({ exitCode: -1, stdout: '' });
    const { docker } = this.api;
    return this.api.call(`run ${cmd[0]} in ${short(id)}`, async (abortSignal) => {
      const Env = opts.env ? Object.entries(opts.env).map(([name, value]) => `${name}=${value}`) : undefined;
      const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false, Env, WorkingDir: '/', abortSignal });
      const stream = await exec.start({ hijack: true, stdin: false, abortSignal });
      abortSignal.addEventListener('abort', () => (stream as unknown as { destroy(): void }).destroy(), { once: true });
      const stdout = await readStdout(stream, (from, out, err) => docker.modem.demuxStream(from, out, err), opts.maxBytes, `${cmd[0]} in ${short(id)}`);
      const { ExitCode } = await exec.inspect({ abortSignal });
      return { exitCode: ExitCode ?? -1, stdout };
    }, { 404: stopped, 409: stopped }, EXEC_DEADLINES * this.api.deadlineMs);
  }

  async stats(id: string): Promise<ContainerStats | null> {
    // 404, 409: gone or not running.
    return this.api.call(`read stats of ${short(id)}`, async (abortSignal) => {
      const raw = (await this.api.docker.getContainer(id).stats({ stream: false, abortSignal } as { stream: false })) as unknown as RawStats;
      return statsFrom(raw) as ContainerStats | null;
    }, { 404: () => null, 409: () => null });
  }

  /** The last `tail` lines of a container's stdout and stderr, interleaved as written. */
  async logs(id: string, tail = 50): Promise<string> {
    const { docker } = this.api;
    return this.api.call(`read logs of ${short(id)}`, async (abortSignal) => {
      const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail, abortSignal })) as unknown as Buffer;
      return logText(raw, (from, out, err) => docker.modem.demuxStream(from, out, err));
    });
  }
}

/** A log as Docker sends it (frames, unless the container has a TTY) as the text it was. */
export function logText(raw: Buffer, demux: Parameters<typeof readStdout>[1]): Promise<string> {
  // A frame starts with its stream (0–2) and three zero bytes; a TTY's raw text does not.
  const framed = raw.length >= 8 && raw[0]! <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
  if (!framed) return Promise.resolve(raw.toString('utf8'));
  // Already whole in memory (Docker answers a log that does not follow in one body): no cap beyond its size.
  return readStdout(Readable.from([raw]), demux, raw.length, 'the container log', true);
}

function containerConfig(spec: ContainerSpec, publishHost: string): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const { containerPort, hostPort } of spec.ports) {
    exposed[`${containerPort}/tcp`] = {};
    // Loopback only, unless a TLS engine was given an address to publish on: then the session secret gates both ports.
    bindings[`${containerPort}/tcp`] = [{ HostIp: publishHost, HostPort: hostPort ? String(hostPort) : '' }];
  }
  return {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ExposedPorts: exposed,
    ...(spec.stopTimeoutS ? { StopTimeout: spec.stopTimeoutS } : {}),
    HostConfig: {
      PortBindings: bindings,
      Mounts: spec.volumes.map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target, ...(v.readOnly ? { ReadOnly: true } : {}) })),
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes,
      NanoCpus: spec.limits.nanoCpus,
      PidsLimit: spec.limits.pids,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Init: false,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': WRITE_LIMITS.log.maxSize, 'max-file': WRITE_LIMITS.log.maxFiles } },
      Tmpfs: { ...spec.tmpfs, '/tmp': WRITE_LIMITS.tmp },
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
  } as Docker.ContainerCreateOptions;
}

function infoFrom(info: Docker.ContainerInspectInfo, publishHost: string): ContainerInfo {
  const ports: Record<number, number> = {};
  for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const hostPort = binds?.find((b) => b.HostIp === publishHost)?.HostPort;
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

function statsFrom(raw: RawStats): ContainerStats {
  const cpuDelta = raw.cpu_stats.cpu_usage.total_usage - (raw.precpu_stats.cpu_usage?.total_usage ?? 0);
  const systemDelta = (raw.cpu_stats.system_cpu_usage ?? 0) - (raw.precpu_stats.system_cpu_usage ?? 0);
  const cpus = raw.cpu_stats.online_cpus ?? 1;
  const cache = raw.memory_stats.stats?.inactive_file ?? raw.memory_stats.stats?.total_inactive_file ?? 0;
  return {
    cpuPercent: systemDelta > 0 && cpuDelta >= 0 ? Math.round((cpuDelta / systemDelta) * cpus * 1000) / 10 : 0,
    memoryBytes: Math.max(0, (raw.memory_stats.usage ?? 0) - cache),
    memoryLimitBytes: raw.memory_stats.limit ?? 0,
  };
}
