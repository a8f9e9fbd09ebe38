import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import { AppError } from '../../../../shared/errors';
import { Tunnels } from '../tunnels';
import { presentedKey, type HostKeyVerdict, type KnownHosts, type PresentedKey } from './known-hosts';

// ssh2 is CommonJS: the main bundle (ES modules) reaches its parts through the default export.
const { Client: SshClient, utils } = ssh2;

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
}

/** `ssh://[user@]host[:port]`, Docker's form (no password, no path). */
export function parseSshEndpoint(endpoint: string): SshEndpoint {
  const url = new URL(endpoint);
  if (url.protocol !== 'ssh:' || !url.hostname) throw new AppError('INVALID_INPUT', `${endpoint} is not an ssh://[user@]host[:port] address`);
  if (url.password) throw new AppError('INVALID_INPUT', 'An ssh:// endpoint carries no password: the SSH agent or a key file signs in');
  if (url.pathname && url.pathname !== '/') throw new AppError('INVALID_INPUT', `An ssh:// endpoint has no path: ${endpoint}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 22),
    username: decodeURIComponent(url.username) || os.userInfo().username,
  };
}

export interface SshAuthOptions {
  /** A key named in the settings; otherwise the default ones of ~/.ssh. */
  keyPath?: string;
  /** The SSH agent's socket (SSH_AUTH_SOCK). */
  agentSocket?: string;
  home?: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
/** The remote engine's socket, reached with OpenSSH's stream-local forwarding. */
const DOCKER_SOCKET = '/var/run/docker.sock';

type AuthMethod = { type: 'agent'; username: string; agent: string } | { type: 'publickey'; username: string; key: Buffer };

/**
 * One SSH connection to the engine's host, shared by everything: Docker API requests (each an
 * SSH channel to the engine's socket, kept alive between requests) and the tunnels that bring
 * each session's ports to this machine's 127.0.0.1. Lost connections are made again on the next
 * use, no sooner than a backoff allows; tunnels keep listening meanwhile.
 */
export class SshLink {
  /** For dockerode: every connection it opens is a channel of this link. */
  readonly agent: http.Agent;
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private lastFailure: { at: number; error: AppError } | null = null;
  private backoffMs = BACKOFF.minMs;
  private refusedKey: PresentedKey | null = null;
  private dialStdio = false;
  private closed = false;
  /** The session ports of the engine's host, on this machine's 127.0.0.1. */
  readonly tunnels = new Tunnels((port) => this.forwardOut(port));

  constructor(
    readonly endpoint: SshEndpoint,
    private readonly knownHosts: KnownHosts,
    private readonly auth: SshAuthOptions = {},
  ) {
    const agent = new http.Agent({ keepAlive: true });
    agent.createConnection = ((_options: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
      this.dockerChannel().then((channel) => done(null, channel), (error: Error) => done(error));
    }) as unknown as typeof agent.createConnection;
    this.agent = agent;
  }

  get describe(): string {
    return `${this.endpoint.username}@${this.endpoint.host}:${this.endpoint.port}`;
  }

  /** The host key last refused, so an administrator can be shown it and accept exactly it. */
  get untrustedKey(): PresentedKey | null {
    return this.refusedKey;
  }

  /** Trusts the refused host key, if it is the one with `fingerprint`; the next use connects. */
  acceptHostKey(fingerprint: string): void {
    const key = this.refusedKey;
    if (!key || key.fingerprint !== fingerprint) {
      throw new AppError('CONFLICT', `The engine's host key is not ${fingerprint} (any more): connect again and check the fingerprint shown`);
    }
    this.knownHosts.accept(this.endpoint.host, this.endpoint.port, key.blob);
    this.refusedKey = null;
    this.lastFailure = null;
  }

  /** The live connection, or a new one. */
  connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new AppError('DOCKER_UNAVAILABLE', `The connection to ${this.describe} was closed`));
    if (this.client) return Promise.resolve(this.client);
    if (this.lastFailure && Date.now() - this.lastFailure.at < this.backoffMs) return Promise.reject(this.lastFailure.error);
    this.connecting ??= this.connect().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  close(): void {
    this.closed = true;
    this.tunnels.closeAll();
    this.agent.destroy();
    this.client?.end();
  }

  /** A channel to the engine host's 127.0.0.1:`port`, over the live connection. */
  private async forwardOut(port: number): Promise<Duplex> {
    const client = await this.connection();
    return new Promise<Duplex>((resolve, reject) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (error, channel) => (error ? reject(error) : resolve(channel))));
  }

  private async dockerChannel(): Promise<Duplex> {
    const client = await this.connection();
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const opened = (error: Error | undefined, ch: ClientChannel) => (error ? reject(error) : resolve(ch));
      if (this.dialStdio) return void client.exec('docker system dial-stdio', opened);
      client.openssh_forwardOutStreamLocal(DOCKER_SOCKET, (error, ch) => {
        if (!error) return resolve(ch);
        // A server that forbids stream-local forwarding: Docker's own way, its CLI on the host.
        this.dialStdio = true;
        client.exec('docker system dial-stdio', opened);
      });
    }).catch((error: Error) => {
      throw new AppError('DOCKER_UNAVAILABLE', `The engine on ${this.endpoint.host} could not be reached through SSH (${error.message}): ${this.endpoint.username} must be allowed to use ${DOCKER_SOCKET} there`, { cause: error });
    });
    return asSocket(channel);
  }

  private connect(): Promise<Client> {
    const { host, port, username } = this.endpoint;
    let methods: AuthMethod[];
    try {
      methods = this.authMethods();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Client>((resolve, reject) => {
      const client = new SshClient();
      let refused: { key: PresentedKey; why: RefusedWhy } | null = null;
      let settled = false;
      const fail = (error: AppError) => {
        if (settled) return;
        settled = true;
        this.lastFailure = { at: Date.now(), error };
        this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF.maxMs);
        client.end();
        reject(error);
      };
      client.on('ready', () => {
        settled = true;
        this.client = client;
        this.lastFailure = null;
        this.backoffMs = BACKOFF.minMs;
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string; code?: string }) => {
        if (refused) {
          this.refusedKey = refused.key;
          return fail(untrustedHostKey(this.describe, refused.key, refused.why));
        }
        fail(connectError(this.describe, error, methods));
      });
      client.on('close', () => {
        if (!settled) return fail(new AppError('DOCKER_UNAVAILABLE', `The SSH server at ${host}:${port} closed the connection before signing in`));
        if (this.client !== client) return;
        this.client = null;
        // Channels of a dead connection never say so themselves: no request may wait on one.
        this.agent.destroy();
      });
      try {
        client.connect({
          host,
          port,
          username,
          authHandler: methods,
          hostVerifier: (blob: Buffer) => {
            const verdict = this.knownHosts.check(host, port, blob);
            if (verdict.trusted) return true;
            refused = { key: presentedKey(blob), why: verdict.why };
            return false;
          },
          readyTimeout: 10_000,
          // A dead network is noticed within about 15 s, not at the next TCP timeout.
          keepaliveInterval: 5_000,
          keepaliveCountMax: 3,
        });
      } catch (error) {
        fail(new AppError('DOCKER_UNAVAILABLE', `Cannot connect to ${this.describe}: ${(error as Error).message}`));
      }
    });
  }

  /** The agent, then the configured key or the default ones; keys that need a passphrase are left to the agent. */
  private authMethods(): AuthMethod[] {
    const { username } = this.endpoint;
    const methods: AuthMethod[] = [];
    if (this.auth.agentSocket) methods.push({ type: 'agent', username, agent: this.auth.agentSocket });
    const home = this.auth.home ?? os.homedir();
    const files = this.auth.keyPath ? [this.auth.keyPath] : DEFAULT_KEYS.map((name) => path.join(home, '.ssh', name));
    for (const file of files) {
      let key: Buffer;
      try {
        key = readFileSync(file);
      } catch (error) {
        if (this.auth.keyPath) throw new AppError('INVALID_INPUT', `Cannot read the SSH key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        continue;
      }
      const parsed = utils.parseKey(key);
      if (parsed instanceof Error) {
        if (this.auth.keyPath) {
          throw new AppError('INVALID_INPUT', /passphrase/i.test(parsed.message) ? `The SSH key ${file} is protected by a passphrase: add it to your SSH agent (ssh-add) instead` : `The SSH key ${file} cannot be read as a private key: ${parsed.message}`);
        }
        continue;
      }
      methods.push({ type: 'publickey', username, key });
    }
    if (!methods.length) {
      throw new AppError('DOCKER_UNAVAILABLE', `No way to sign in to ${this.describe}: no SSH agent (SSH_AUTH_SOCK) and no usable key in ~/.ssh (${DEFAULT_KEYS.join(', ')}); set sshKeyPath or start an agent`);
    }
    return methods;
  }
}

const BACKOFF = { minMs: 500, maxMs: 10_000 };

type RefusedWhy = Extract<HostKeyVerdict, { trusted: false }>['why'];

function untrustedHostKey(where: string, key: PresentedKey, why: RefusedWhy): AppError {
  const said =
    why === 'changed'
      ? `The host key of ${where} has CHANGED: it is now ${key.type} ${key.fingerprint}, which no known_hosts entry for it holds. This can mean someone is intercepting the connection. If the server was reinstalled, an administrator can accept the new key in Settings after checking its fingerprint.`
      : why === 'revoked'
        ? `The host key of ${where} (${key.type} ${key.fingerprint}) is marked @revoked in known_hosts: the panel will not use it.`
        : `The host key of ${where} is not known: ${key.type} ${key.fingerprint}. Check it on the server (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-|-.*$/g, '')}_key.pub) and accept it in Settings, or add it to ~/.ssh/known_hosts.`;
  return new AppError('HOST_KEY_UNTRUSTED', said);
}

function connectError(where: string, error: Error & { level?: string; code?: string }, methods: AuthMethod[]): AppError {
  if (error.level === 'client-authentication') {
    const tried = methods.map((m) => (m.type === 'agent' ? 'the SSH agent' : 'a key file')).join(', ');
    return new AppError('DOCKER_UNAVAILABLE', `Signing in to ${where} failed (tried ${tried}): add this panel's public key to the server's authorized_keys, or set sshKeyPath.`, { cause: error });
  }
  if (error.level === 'client-timeout') return new AppError('DOCKER_UNAVAILABLE', `The SSH server at ${where} did not answer within 10 s`, { cause: error });
  const code = error.code ? ` (${error.code})` : '';
  return new AppError('DOCKER_UNAVAILABLE', `The SSH server at ${where} is not reachable${code}: ${error.message}`, { cause: error });
}

/** What Node's HTTP client and agent call on a socket, for an SSH channel standing in for one. */
function asSocket(channel: ClientChannel): Duplex {
  const socket = channel as ClientChannel & Record<string, unknown>;
  const self = () => socket;
  for (const name of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) socket[name] ??= self;
  return socket;
}

