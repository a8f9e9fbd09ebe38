import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenTokenFor } from '../../electron/services/blender/session-secret';
import WebSocket from 'ws';
import type { User } from '../../shared/accounts';
import { networkNameFor } from '../../electron/services/blender/naming';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { testDocker } from '../support/docker';

const docker = testDocker();

// What one person's container can reach, and what it leaves behind, on the real engine and image.
const engine = testEngine();
const KEY_VALUE = 'sk-ant-isolation-test-0123456789';
let h: Harness;
let ada: User;
let bob: User;

beforeAll(async () => {
  h = await new Harness(engine).init();
  ada = (await h.user('Ada')).user;
  bob = (await h.user('Bob')).user;
  await h.credentials.set(ada.id, 'ANTHROPIC_API_KEY', KEY_VALUE);
  await Promise.all([h.sessions.start(ada), h.sessions.start(bob)]);
});

afterAll(async () => {
  await h.credentials.clearAll(ada.id).catch(() => {});
  await h.cleanup();
});

const containerOf = async (user: User) => (await engine.containers.inspect(h.sessions.get(user.id)!.containerName))!;
/** The session secret, where the running container keeps it (the panel's address carries only the screen's token). */
const secretOf = async (user: User) => (await engine.containers.exec((await containerOf(user)).id, ['cat', '/run/blender-lab/secret'])).stdout;
const run = async (user: User, code: string) => (await h.sessions.command(user.id, 'execute_code', { code })).result;

describe('containers of different people', () => {
  it('sit on networks of their own, and one cannot even connect to the other', async () => {
    const [a, b] = await Promise.all([containerOf(ada), containerOf(bob)]);
    const bobNetworks = (await docker.getContainer(b.id).inspect()).NetworkSettings.Networks;
    const adaNetworks = (await docker.getContainer(a.id).inspect()).NetworkSettings.Networks;
    expect(Object.keys(adaNetworks)).toEqual([networkNameFor('Ada', ada.id)]);
    expect(Object.keys(bobNetworks)).toEqual([networkNameFor('Bob', bob.id)]);
    const bobIp = bobNetworks[networkNameFor('Bob', bob.id)]!.IPAddress;
    expect(bobIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const probe = (ip: string, port: number) =>
      `import socket\ntry:\n    socket.create_connection(("${ip}", ${port}), timeout=3).close()\n    print("connected")\nexcept OSError as e:\n    print("blocked", type(e).__name__)`;
    expect(await run(ada, probe(bobIp, 9876))).toMatch(/^blocked/);
    expect(await run(ada, probe(bobIp, 3000))).toMatch(/^blocked/);
    // Bob's own container reaches its own address, so the probe itself works.
    expect(await run(bob, probe(bobIp, 9876))).toBe('connected\n');
  });

  it('have networks that are labelled as the panel\'s and still lead outward', async () => {
    const network = await docker.getNetwork(networkNameFor('Ada', ada.id)).inspect();
    expect(network.Labels).toMatchObject(h.labels(ada.id));
    expect(network.Internal).toBe(false);
    expect(network.Driver).toBe('bridge');
  });
});

describe('secrets at rest and in logs', () => {
  it('keeps the session secret out of the UI server\'s log, the container log and docker inspect', async () => {
    const { ui } = h.sessions.get(ada.id)!.ports!;
    const secret = await secretOf(ada);
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ui}/websockify?token=${screenTokenFor(secret)}`, ['binary']);
      ws.once('open', () => { ws.close(); resolve(); });
      ws.once('error', reject);
    });
    const { id } = await containerOf(ada);
    const uiLog = await engine.containers.exec(id, ['sh', '-c', 'cat /tmp/blender-lab.*/websockify.log']);
    expect(uiLog.stdout).toContain('token=[hidden]');
    expect(uiLog.stdout).not.toContain(secret);
    expect(uiLog.stdout).not.toContain(screenTokenFor(secret));
    const logs = await engine.containers.logs(id, 10_000);
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(KEY_VALUE);
    const inspected = JSON.stringify(await docker.getContainer(id).inspect());
    expect(inspected).not.toContain(secret);
    expect(inspected).not.toContain(KEY_VALUE);
    // The person's own Blender has the key, as it should.
    expect(await run(ada, 'import os; print(os.environ.get("ANTHROPIC_API_KEY"))')).toBe(`${KEY_VALUE}\n`);
  });

  it('leaves neither the secret nor the keys in a stopped container\'s files, and comes back with a fresh secret', async () => {
    const secret = await secretOf(ada);
    const { id } = await containerOf(ada);
    await h.sessions.stop(ada.id, 'sign-out');
    expect(await engine.files.read(id, '/var/lib/blender-lab/session.env', 1024 * 1024)).toBeNull();
    const changes = ((await docker.getContainer(id).changes()) ?? []) as { Path: string; Kind: number }[];
    const leaks: string[] = [];
    for (const change of changes.filter((c) => c.Kind !== 2)) {
      const data = await engine.files.read(id, change.Path, 64 * 1024 * 1024).catch(() => null);
      if (data && (data.includes(secret) || data.includes(screenTokenFor(secret)) || data.includes(KEY_VALUE))) leaks.push(change.Path);
    }
    expect(leaks).toEqual([]);
    await h.sessions.start(ada);
    expect(await secretOf(ada)).not.toBe(secret);
  });

  it('adopts a running container after a panel crash by the secret it keeps in memory only', async () => {
    await h.sessions.start(bob);
    const before = h.sessions.get(bob.id)!;
    await h.crashAndRestart();
    expect(h.sessions.get(bob.id)).toMatchObject({ state: 'ready', ports: before.ports });
    expect(await run(bob, 'print("still here")')).toBe('still here\n');
  });
});

describe('what a session may write outside its volume', () => {
  it('has a capped, rotated log and a size-limited /tmp that ends with the container', async () => {
    const { id } = await containerOf(bob);
    const { HostConfig } = await docker.getContainer(id).inspect();
    expect(HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
    expect((HostConfig as { Tmpfs?: Record<string, string> }).Tmpfs?.['/tmp']).toContain('size=512m');
    const filled = await run(bob, [
      'written = 0',
      'try:',
      '    with open("/tmp/fill", "wb") as f:',
      '        for _ in range(700):',
      '            f.write(b"x" * (1 << 20)); written += 1',
      '    print("wrote", written)',
      'except OSError as e:',
      '    print("stopped at", written, "MiB:", e.strerror)',
      'import os; os.remove("/tmp/fill")',
    ].join('\n'));
    expect(filled).toMatch(/^stopped at 5\d\d MiB: No space left on device/);
    expect((await h.sessions.command(bob.id, 'ping', {})).blender_version).toMatch(/^3\./);
  });
});

describe('deleting a person', () => {
  it('removes their network with their data', async () => {
    await h.sessions.deleteUserData(bob.id, 'Bob');
    expect(await engine.networks.list(h.labels(bob.id))).toEqual([]);
  });
});
