import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SshAccess } from '../../electron/services/engine/endpoint';
import { KnownHosts } from '../../electron/services/engine/ssh/known-hosts';
import { waitFor } from './wait';

/** The account the panel signs in as: allowed to use this machine's engine, nothing else. */
export const REMOTE_USER = 'blenderlab-remote';
const SSHD = '/usr/sbin/sshd';

/**
 * A real OpenSSH server on 127.0.0.1 standing in for a GPU server: a throwaway host key, a
 * throwaway client key in its authorized_keys, and a user in the `docker` group. Needs root
 * (it creates the user) and Debian's openssh-server (scripts/prepare.sh installs it).
 */
export class TestSshd {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-sshd-'));
  readonly clientKey = path.join(this.dir, 'client_ed25519');
  readonly hostKey = path.join(this.dir, 'host_ed25519');
  /** The panel's known_hosts, holding the server's real key. */
  readonly knownHostsFile = path.join(this.dir, 'known_hosts');
  port = 0;
  private process: ChildProcess | null = null;

  /** `streamLocal: false`: a server that forbids forwarding to unix sockets, as some administrators set it. */
  constructor(private readonly options: { streamLocal?: boolean } = {}) {}

  get endpoint(): string {
    return `ssh://${REMOTE_USER}@127.0.0.1:${this.port}`;
  }

  /** What `ssh-keygen -lf` says of the server's key: `SHA256:…`. */
  get fingerprint(): string {
    return execFileSync('ssh-keygen', ['-lf', `${this.hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  }

  /** How a panel reaches it: this server's key trusted, keys accepted in Settings written beside it, the client key. */
  access(options: { knownHosts?: string; keyPath?: string | null; agentSocket?: string; home?: string } = {}): SshAccess {
    return {
      knownHosts: new KnownHosts([options.knownHosts ?? this.knownHostsFile], path.join(this.dir, `accepted-${Math.random().toString(36).slice(2)}`)),
      auth: { keyPath: options.keyPath === null ? undefined : (options.keyPath ?? this.clientKey), agentSocket: options.agentSocket, home: options.home ?? this.dir },
    };
  }

  async start(): Promise<this> {
    ensureUser();
    chmodSync(this.dir, 0o755); // the server reads authorized_keys as the user
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.clientKey]);
    writeFileSync(path.join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`), { mode: 0o644 });
    this.port = await freePort();
    const [type, key] = readFileSync(`${this.hostKey}.pub`, 'utf8').trim().split(/\s+/);
    writeFileSync(this.knownHostsFile, `[127.0.0.1]:${this.port} ${type} ${key}\n`);
    writeFileSync(
      path.join(this.dir, 'sshd_config'),
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${this.hostKey}`,
        `PidFile ${path.join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        `AllowUsers ${REMOTE_USER}`,
        'AllowTcpForwarding yes',
        `AllowStreamLocalForwarding ${this.options.streamLocal === false ? 'no' : 'yes'}`,
        'PermitTTY no',
        'X11Forwarding no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    await this.listen();
    return this;
  }

  /** The server restarts: every connection it had is cut, and it listens again. */
  async restart(): Promise<void> {
    await this.kill();
    await this.listen();
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  private async listen(): Promise<void> {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // its privilege-separation directory
    const child = spawn(SSHD, ['-D', '-e', '-f', path.join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
    this.process = child;
    await waitFor(`sshd on 127.0.0.1:${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log}`);
      return connects(this.port);
    }, { timeoutMs: 15_000 });
  }

  private async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    // The per-connection processes outlive the listener; ending them cuts the connections.
    try {
      execFileSync('pkill', ['-TERM', '-f', `^sshd: ${REMOTE_USER}`]);
    } catch {
      // none left
    }
    await waitFor('sshd connections to end', () => {
      try {
        execFileSync('pgrep', ['-f', `^sshd: ${REMOTE_USER}`]);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 10_000 });
  }
}

function ensureUser(): void {
  try {
    execFileSync('id', [REMOTE_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', '--groups', 'docker', REMOTE_USER]);
  }
  // A locked account ('!') may not sign in even with a key; '*' has no password yet is usable.
  execFileSync('usermod', ['-p', '*', REMOTE_USER]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
