import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { Connection } from './docker-calls';
import { KnownHosts } from './ssh/known-hosts';
import { parseSshEndpoint, SshLink, type SshAuthOptions } from './ssh/ssh-link';
import { relayTo } from './tunnels';

/** Which engines the panel will drive and how each is reached: local socket, ssh://, or tcp:// with TLS only. */

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

/**
 * A connection to `endpoint` (else DOCKER_HOST, else the local socket), refusing one the panel
 * will not use.
 */
export function openConnection(endpoint: string | undefined, access: EngineAccess = {}, env: NodeJS.ProcessEnv = process.env): Connection {
  endpoint ||= env.DOCKER_HOST;
  if (endpoint?.startsWith('ssh://')) {
    const target = parseSshEndpoint(endpoint);
    if (!access.ssh) throw new AppError('INVALID_INPUT', `${endpoint} needs SSH settings (known hosts and keys)`);
    const link = new SshLink(target, access.ssh.knownHosts, access.ssh.auth);
    // Every request is a channel of the one SSH connection; the host name is never looked up.
    const docker = new Docker({ protocol: 'http', host: 'docker.invalid', port: 80, agent: link.agent } as Docker.DockerOptions);
    return { docker, link, tunnels: link.tunnels, publishHost: '127.0.0.1' };
  }
  const docker = new Docker(dockerOptions(endpoint, access.tls ?? null, env));
  if (endpoint?.startsWith('tcp://')) {
    // Another machine: its containers publish where the panel can reach them, which the panel
    // brings to its own 127.0.0.1, so the frame and its policy never see another address.
    const publishHost = access.publishAddress || '127.0.0.1';
    return { docker, link: null, tunnels: relayTo(publishHost), publishHost };
  }
  return { docker, link: null, tunnels: null, publishHost: '127.0.0.1' };
}
