import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import type { StartProgress } from '../../shared/sessions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/services/engine/engine';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { TestSshd } from '../support/sshd';
import { waitFor } from '../support/wait';
import { testDocker } from '../support/docker';

const docker = testDocker();

// A panel whose Blenders run on "another machine": a real OpenSSH server on 127.0.0.1 in front of
// this machine's engine. Containers publish on that machine's loopback only; the panel reaches
// them through tunnels of its one SSH connection, on ports of its own ranges.
const sshd = new TestSshd();
let engine: Engine | null = null;
let h: Harness | null = null;

beforeAll(async () => {
  await sshd.start();
});
afterAll(async () => {
  await sshd.stop();
});
afterEach(async () => {
  await h?.cleanup();
  h = null;
  engine?.close();
  engine = null;
});

function answers(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, timeout: 5_000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  });
}

describe('an engine over SSH', () => {
  it('runs a whole session through the tunnels: sign in, Blender ready, commands, sign out, and the scene back', async () => {
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
    h = await new Harness(engine).init();
    const { user } = await h.user('sasha');
    const ready = await h.sessions.start(user);
    expect(ready.state).toBe('ready');
    // The container published on the engine host's loopback, on ports Docker chose; the panel's own ports are tunnels.
    const info = (await engine.containers.inspect(ready.containerName))!;
    const settings = h.settings.get();
    expect(ready.ports!.addon - settings.addonPortBase).toBeGreaterThanOrEqual(0);
    expect(ready.ports!.addon - settings.addonPortBase).toBeLessThan(settings.portRangeSize);
    expect(Object.values(info.ports)).not.toContain(ready.ports!.addon);
    expect(Object.values(info.configuredPorts)).toEqual([0, 0]);
    expect(await answers(ready.ports!.ui, '/vnc.html')).toBe(200);
    expect(h.sessions.uiAddress(user.id)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ready.ports!.ui}/blender-lab\\.html#token=`));

    await h.sessions.command(user.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_cube_add()\nbpy.context.active_object.name = "OverSsh"' });
    await h.sessions.stop(user.id, 'sign-out');
    // The tunnels close with the session.
    await expect(answers(ready.ports!.ui, '/vnc.html')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await h.sessions.start(user);
    expect((await h.sessions.command(user.id, 'get_scene_info', {})).objects.map((o) => o.name)).toContain('OverSsh');
  });

  it('serves Files and an AI client through the engine\'s connection as it does locally', async () => {
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
    h = await new Harness(engine).init();
    const url = await h.openMcp();
    const { password } = await h.user('noor');
    const noor = await h.window('noor', password);
    const data = randomBytes(3 * 1024 * 1024);
    const up = await noor.call('files.upload', { folder: '', name: 'texture.bin', bytes: data.length });
    expect((await h.files.transfer({ method: 'PUT', pathname: up.url, contentLength: data.length, body: (async function* () { yield data; })() })).status).toBe(200);
    expect((await noor.call('files.list', { path: '' })).entries).toContainEqual(expect.objectContaining({ name: 'texture.bin', kind: 'file', bytes: data.length }));
    const down = await noor.call('files.download', { path: 'texture.bin' });
    const answer = await h.files.transfer({ method: 'GET', pathname: down.url, contentLength: null, body: null });
    const parts: Buffer[] = [];
    for await (const part of answer.body as AsyncIterable<Buffer>) parts.push(part);
    expect(Buffer.concat(parts).equals(data)).toBe(true);

    const { token } = await noor.call('mcpTokens.create', { name: 'Claude Code', password });
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    try {
      const result = await client.callTool({ name: 'get_scene_info', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect((result.content as { text: string }[])[0]!.text).toMatch(/Cube/);
    } finally {
      await client.close();
    }
  });

  it('takes over a Blender still running on the server after a panel crash, through new tunnels, without a second container', async () => {
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
    h = await new Harness(engine).init();
    const { user } = await h.user('otto');
    await h.sessions.start(user);
    await h.sessions.command(user.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_torus_add()\nbpy.context.active_object.name = "Unsaved"' });
    await h.crashAndRestart();
    const adopted = h.sessions.get(user.id)!;
    expect(adopted.state).toBe('ready');
    expect(await answers(adopted.ports!.ui, '/vnc.html')).toBe(200);
    expect((await h.sessions.command(user.id, 'get_scene_info', {})).objects.map((o) => o.name)).toContain('Unsaved');
    expect(await engine.containers.list(h.labels(user.id))).toHaveLength(1);
  });

  it('comes back after the SSH server restarts mid-session: reconnecting, then the same Blender, nothing lost, nothing doubled', async () => {
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
    h = await new Harness(engine).init();
    const { user } = await h.user('rhea');
    const before = await h.sessions.start(user);
    await h.sessions.command(user.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_monkey_add()\nbpy.context.active_object.name = "BeforeTheCut"' });
    const states: string[] = [];
    h.sessions.changed.on((view) => { if (view.userId === user.id) states.push(view.state); });

    await sshd.restart();

    await waitFor('the session to say it is reconnecting', () => states.includes('reconnecting'), { timeoutMs: 30_000 });
    await expect(h.sessions.command(user.id, 'get_scene_info', {})).rejects.toMatchObject({ code: 'SESSION_NOT_READY', message: expect.stringMatching(/^The connection to the Docker engine was lost/) });
    await waitFor('the session to be ready again', () => h!.sessions.get(user.id)?.state === 'ready', { timeoutMs: 60_000 });
    const after = h.sessions.get(user.id)!;
    expect(after.ports).toEqual(before.ports);
    expect((await h.sessions.command(user.id, 'get_scene_info', {})).objects.map((o) => o.name)).toContain('BeforeTheCut');
    expect(await answers(after.ports!.ui, '/vnc.html')).toBe(200);
    expect(await engine.containers.list(h.labels(user.id))).toHaveLength(1);
  });

  it('moves to an SSH engine from Settings without a restart: Blenders saved and stopped first, the host key accepted by an administrator, then sessions run through it', async () => {
    const empty = path.join(sshd.dir, 'known_hosts-none');
    writeFileSync(empty, '');
    h = new Harness(testEngine());
    h.connect = (settings) => (engine = Engine.connect(settings.dockerEndpoint, { ssh: sshd.access({ knownHosts: empty }) }));
    await h.init();
    const admin = await h.user('root');
    const { password } = await h.user('mika');
    const mika = await h.window('mika', password);
    const root = await h.window('root', admin.password);
    await mika.call('blender.run', { code: 'import bpy\nbpy.ops.mesh.primitive_cylinder_add()\nbpy.context.active_object.name = "BeforeTheMove"' });

    await root.call('admin.updateSettings', { dockerEndpoint: sshd.endpoint });
    const stopped = await mika.call('session.mine');
    expect(stopped).toMatchObject({ state: 'stopped', reason: 'Stopped when the panel moved to another Docker engine (the scene was saved on the previous one, where your files stay)', lastSave: { ok: true } });
    const refused = await root.call('admin.engine');
    expect(refused).toMatchObject({ endpoint: sshd.endpoint, kind: 'ssh', reachable: false, untrustedHostKey: { type: 'ssh-ed25519', fingerprint: sshd.fingerprint }, lastMove: { from: '', to: sshd.endpoint, stopped: 2, notSaved: [] } });
    expect(refused.problem).toMatch(/is not known: ssh-ed25519 SHA256:/);
    await expect(root.call('admin.acceptHostKey', { fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(mika.call('admin.acceptHostKey', { fingerprint: sshd.fingerprint })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(await root.call('admin.acceptHostKey', { fingerprint: sshd.fingerprint })).toMatchObject({ reachable: true, untrustedHostKey: null });
    const again = await mika.call('session.start');
    expect(again.state).toBe('ready');
    expect(engine!.remote).toBe(true);
    // The engine behind this SSH server is the one the volume was on: the work is there.
    expect((await mika.call('blender.sceneInfo')).objects.map((o: { name: string }) => o.name)).toContain('BeforeTheMove');
    expect(Object.values((await engine!.containers.inspect(again.containerName))!.configuredPorts)).toEqual([0, 0]);
  });

  it('builds a missing image on the remote engine, its context sent over the connection, with the same progress as here', async () => {
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access() });
    const tag = `blender-lab/blender:over-ssh-${Date.now()}`;
    h = await new Harness(engine, { image: tag }).init();
    const { user } = await h.user('ines');
    const progress: StartProgress[] = [];
    try {
      expect((await h.sessions.start(user, (p) => progress.push(p))).state).toBe('ready');
    } finally {
      await h.cleanup();
      h = null;
      await docker.getImage(tag).remove({ force: true }).catch(() => {});
    }
    const building = progress.filter((p) => p.step === 'image' && p.percent !== undefined);
    expect(building.length).toBeGreaterThan(5);
    expect(building.at(-1)).toMatchObject({ percent: 100, message: expect.stringMatching(/^Building the Blender image: step (\d+) of \1$/) });
  });

  it('reaches the engine through Docker\'s own way when the server forbids forwarding to its socket', async () => {
    const strict = await new TestSshd({ streamLocal: false }).start();
    try {
      engine = Engine.connect(strict.endpoint, { ssh: strict.access() });
      await engine.ping();
      expect(await engine.cpuCount()).toBeGreaterThan(0);
    } finally {
      await strict.stop();
    }
  });

  it('signs in with the SSH agent, or with a default key of ~/.ssh, when no key is configured', async () => {
    const agentDir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-agent-'));
    const socket = path.join(agentDir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor('the SSH agent', () => existsSync(socket), { timeoutMs: 10_000 });
      execFileSync('ssh-add', [sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ keyPath: null, agentSocket: socket, home: agentDir }) });
      await engine.ping();
      engine.close();

      const home = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-home-'));
      mkdirSync(path.join(home, '.ssh'));
      copyFileSync(sshd.clientKey, path.join(home, '.ssh', 'id_ed25519'));
      engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ keyPath: null, home }) });
      await engine.ping();
      engine.close();

      engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ keyPath: null, home: agentDir }) });
      await expect(engine.ping()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: `No way to sign in to blenderlab-remote@127.0.0.1:${sshd.port}: no SSH agent (SSH_AUTH_SOCK) and no usable key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa); set sshKeyPath or start an agent` });
    } finally {
      agent.kill();
    }
  });

  it('refuses an engine host whose key changed, showing the fingerprint, until an administrator accepts exactly that key', async () => {
    const knownHosts = path.join(sshd.dir, 'known_hosts-stale');
    const stale = path.join(sshd.dir, 'stale_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stale]);
    const [type, key] = execFileSync('cat', [`${stale}.pub`], { encoding: 'utf8' }).trim().split(/\s+/);
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${key}\n`);
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ knownHosts }) });

    await expect(engine.ping()).rejects.toMatchObject({
      code: 'HOST_KEY_UNTRUSTED',
      message: `The host key of blenderlab-remote@127.0.0.1:${sshd.port} has CHANGED: it is now ssh-ed25519 ${sshd.fingerprint}, which no known_hosts entry for it holds. This can mean someone is intercepting the connection. If the server was reinstalled, an administrator can accept the new key in Settings after checking its fingerprint.`,
    });
    expect(engine.link!.untrustedKey?.fingerprint).toBe(sshd.fingerprint);
    expect(() => engine!.link!.acceptHostKey('SHA256:somethingElse')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    await expect(engine.ping()).rejects.toMatchObject({ code: 'HOST_KEY_UNTRUSTED' });

    engine.link!.acceptHostKey(sshd.fingerprint);
    await engine.ping();
  });

  it('refuses an unknown host key and a key the server does not accept, each with what to do', async () => {
    const empty = path.join(sshd.dir, 'known_hosts-empty');
    writeFileSync(empty, '');
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ knownHosts: empty }) });
    await expect(engine.ping()).rejects.toMatchObject({
      code: 'HOST_KEY_UNTRUSTED',
      message: `The host key of blenderlab-remote@127.0.0.1:${sshd.port} is not known: ssh-ed25519 ${sshd.fingerprint}. Check it on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and accept it in Settings, or add it to ~/.ssh/known_hosts.`,
    });
    engine.close();

    const stranger = path.join(sshd.dir, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ keyPath: stranger }) });
    await expect(engine.ping()).rejects.toMatchObject({
      code: 'DOCKER_UNAVAILABLE',
      message: `Signing in to blenderlab-remote@127.0.0.1:${sshd.port} failed (tried a key file): add this panel's public key to the server's authorized_keys, or set sshKeyPath.`,
    });
    engine.close();

    const locked = path.join(sshd.dir, 'locked_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', locked]);
    engine = Engine.connect(sshd.endpoint, { ssh: sshd.access({ keyPath: locked }) });
    await expect(engine.ping()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `The SSH key ${locked} is protected by a passphrase: add it to your SSH agent (ssh-add) instead` });
  });
});
