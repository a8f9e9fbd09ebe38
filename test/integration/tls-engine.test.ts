import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../electron/services/app/app';
import { BlenderClient } from '../../electron/services/blender/blender-client';
import { Engine } from '../../electron/services/engine/engine';
import { tlsFilesFrom } from '../../electron/services/engine/endpoint';
import { Harness } from '../support/sessions-harness';
import { testDocker } from '../support/docker';

// A panel on an engine it reaches over the network: TLS only, with the engine this suite starts
// (scripts/engine-start.sh: a TLS listener on 127.0.0.1:2376 that wants a client certificate).
const ENDPOINT = 'tcp://127.0.0.1:2376';
const CERTS = '/var/lib/blender-lab-test/tls/client';
const tls = tlsFilesFrom({ tlsCaPath: '', tlsCertPath: '', tlsKeyPath: '' }, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: CERTS });

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('an engine over TLS', () => {
  it('runs a whole session: sign in, Blender ready, commands, sign out, and the scene back', async () => {
    const engine = Engine.connect(ENDPOINT, { tls });
    await engine.ping();
    h = await new Harness(engine).init();
    const { user } = await h.user('tess');
    expect((await h.sessions.start(user)).state).toBe('ready');
    await h.sessions.command(user.id, 'execute_code', { code: 'import bpy\nbpy.ops.mesh.primitive_cube_add()\nbpy.context.active_object.name = "OverTls"' });
    await h.sessions.stop(user.id, 'sign-out');
    await h.sessions.start(user);
    expect((await h.sessions.command(user.id, 'get_scene_info', {})).objects.map((o) => o.name)).toContain('OverTls');
  });

  it('publishes session ports on the address given for the engine, brings them to 127.0.0.1, and the session secret gates them', async () => {
    const engine = Engine.connect(ENDPOINT, { tls, publishAddress: '127.0.0.2' });
    h = await new Harness(engine).init();
    const { user } = await h.user('pia');
    const ready = await h.sessions.start(user);
    const raw = await testDocker(ENDPOINT, { tls }).getContainer(ready.containerName).inspect();
    const published = Object.values(raw.NetworkSettings.Ports).map((binds) => binds?.[0]);
    expect(published.map((b) => b?.HostIp)).toEqual(['127.0.0.2', '127.0.0.2']);
    expect(published.map((b) => Number(b?.HostPort))).not.toContain(ready.ports!.addon);
    // The panel's own ports lead there; the frame's address stays on 127.0.0.1.
    expect(h.sessions.uiAddress(user.id)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ready.ports!.ui}/`));
    expect((await h.sessions.command(user.id, 'get_scene_info', {})).objects.length).toBeGreaterThan(0);
    const addonPort = Number(raw.NetworkSettings.Ports['9876/tcp']![0]!.HostPort);
    await expect(new BlenderClient({ host: '127.0.0.2', port: addonPort, secret: 'not-the-secret-of-this-session' }).ping()).rejects.toMatchObject({ code: 'BLENDER_AUTH_REJECTED' });
  });

  it('refuses an engine whose certificate it cannot trust, and an engine refuses a panel without one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-other-ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'ca.pem'), '-days', '1', '-subj', '/CN=someone else'], { stdio: 'ignore' });
    const untrusting = Engine.connect(ENDPOINT, { tls: { ...tls!, ca: path.join(dir, 'ca.pem') } });
    await expect(untrusting.ping()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringMatching(/^The TLS handshake with the Docker engine failed \(\w+\) while trying to reach Docker: check that the CA certificate/) });
    const anonymous = Engine.connect(ENDPOINT, { tls: { ...tls!, cert: path.join(dir, 'ca.pem'), key: path.join(dir, 'key.pem') } });
    await expect(anonymous.ping()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringMatching(/^The TLS handshake with the Docker engine failed/) });
  });

  it('never speaks plain text to it: the panel opens, says why, and reaches no engine', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-plain-'));
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ dockerEndpoint: ENDPOINT }));
    const app = await createApp({ dataDir, imageContextDir: path.resolve('docker'), mcpPort: 0, log: () => {} });
    try {
      expect(app.problems).toContainEqual(expect.stringMatching(/^The Docker endpoint is refused: tcp:\/\/127\.0\.0\.1:2376 is plain text: session secrets and integration keys would cross the network readable/));
      expect(app.settings.get().dockerEndpoint).toBe(ENDPOINT); // the operator's file is left as it was
    } finally {
      await app.dispose();
    }
  });
});
