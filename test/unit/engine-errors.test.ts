import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toEngineError } from '../../electron/services/engine/engine-errors';
import Docker from 'dockerode';
import { logText } from '../../electron/services/engine/containers';
import { dockerOptions, tlsFilesFrom } from '../../electron/services/engine/endpoint';

// Failures the real engine cannot be made to produce on demand (OOM, permission on the socket).
describe('toEngineError', () => {
  it('names a socket permission problem and the fix', () => {
    const e = toEngineError({ code: 'EACCES', address: '/var/run/docker.sock' }, 'list containers');
    expect(e.code).toBe('DOCKER_UNAVAILABLE');
    expect(e.message).toContain("'docker' group");
  });

  it('recognises the kernel refusing memory', () => {
    const e = toEngineError({ statusCode: 500, json: { message: 'fork/exec: cannot allocate memory' } }, 'start container x');
    expect(e.code).toBe('OUT_OF_MEMORY');
  });

  it('extracts the port from both forms of the port-taken message', () => {
    const a = toEngineError({ statusCode: 500, json: { message: 'driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:10003 failed: port is already allocated' } }, 'start');
    const b = toEngineError({ statusCode: 500, json: { message: 'Error starting userland proxy: listen tcp4 127.0.0.1:13007: bind: address already in use' } }, 'start');
    expect([a.code, b.code]).toEqual(['PORT_TAKEN', 'PORT_TAKEN']);
    expect(a.message).toContain('Port 10003');
    expect(b.message).toContain('Port 13007');
  });

  it('keeps Docker\'s own words for anything it does not recognise', () => {
    const e = toEngineError({ statusCode: 500, json: { message: 'something odd' } }, 'remove volume v');
    expect(e).toMatchObject({ code: 'INTERNAL', message: 'Docker failed to remove volume v: something odd' });
  });
});

describe('a container log', () => {
  const { modem } = new Docker(); // its demultiplexer only: nothing is asked of an engine
  const demultiplex = (raw: Buffer) => logText(raw, (from, out, err) => modem.demuxStream(from, out, err));
  const frameOf = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it('joins stdout and stderr frames in order', async () => {
    expect(await demultiplex(Buffer.concat([frameOf(1, 'out 1\n'), frameOf(2, 'err\n'), frameOf(1, 'out 2\n')]))).toBe('out 1\nerr\nout 2\n');
  });

  it('passes TTY logs through as they are', async () => {
    expect(await demultiplex(Buffer.from('plain tty output\n'))).toBe('plain tty output\n');
  });
});

describe('dockerOptions', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-tls-'));
  for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, name), `${name} contents`);

  it('uses the local socket when neither the setting nor DOCKER_HOST names an engine', () => {
    expect(dockerOptions(undefined, null, {})).toBeUndefined();
  });
  it('holds DOCKER_HOST to the same rules as the setting', () => {
    expect(dockerOptions(undefined, null, { DOCKER_HOST: 'unix:///run/docker.sock' })).toEqual({ socketPath: '/run/docker.sock' });
    expect(() => dockerOptions(undefined, null, { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toThrow(/^tcp:\/\/10\.0\.0\.5:2375 is plain text/);
    expect(dockerOptions('unix:///a.sock', null, { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toEqual({ socketPath: '/a.sock' }); // the setting wins
  });
  it('reads unix endpoints', () => {
    expect(dockerOptions('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' });
  });
  it('refuses a plain-text tcp:// engine, and says how to use TLS', () => {
    expect(() => dockerOptions('tcp://10.0.0.5:2375')).toThrow(
      'tcp://10.0.0.5:2375 is plain text: session secrets and integration keys would cross the network readable. Use TLS the way Docker does (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH holding ca.pem, cert.pem and key.pem, or the settings tlsCaPath, tlsCertPath and tlsKeyPath), or ssh://.',
    );
  });
  it('speaks TLS to a tcp:// engine with the certificates Docker\'s convention or the settings name', () => {
    const none = { tlsCaPath: '', tlsCertPath: '', tlsKeyPath: '' };
    const fromEnv = tlsFilesFrom(none, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(dockerOptions('tcp://gpu-server:2376', fromEnv)).toEqual({
      protocol: 'https', host: 'gpu-server', port: 2376, ca: Buffer.from('ca.pem contents'), cert: Buffer.from('cert.pem contents'), key: Buffer.from('key.pem contents'),
    });
    expect(tlsFilesFrom(none, { DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: dir })).toBeNull();
    expect(tlsFilesFrom(none, {})).toBeNull();
    const fromSettings = { tlsCaPath: path.join(dir, 'ca.pem'), tlsCertPath: path.join(dir, 'cert.pem'), tlsKeyPath: path.join(dir, 'missing-key.pem') };
    expect(tlsFilesFrom(fromSettings, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/elsewhere' })).toEqual({ ca: fromSettings.tlsCaPath, cert: fromSettings.tlsCertPath, key: fromSettings.tlsKeyPath });
    expect(() => dockerOptions('tcp://gpu-server:2376', tlsFilesFrom(fromSettings))).toThrow(`Cannot read the TLS key ${fromSettings.tlsKeyPath}: ENOENT`);
  });
  it('rejects what it cannot use', () => {
    expect(() => dockerOptions('ftp://me@box')).toThrow(/Unsupported Docker endpoint 'ftp:\/\/me@box'/);
  });
});
