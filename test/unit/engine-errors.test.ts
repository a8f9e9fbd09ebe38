import { describe, expect, it } from 'vitest';
import { toEngineError } from '../../electron/services/engine-errors';
import { demultiplex, dockerOptions } from '../../electron/services/engine';

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

describe('demultiplex', () => {
  const frameOf = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it('joins stdout and stderr frames in order', () => {
    expect(demultiplex(Buffer.concat([frameOf(1, 'out 1\n'), frameOf(2, 'err\n'), frameOf(1, 'out 2\n')]))).toBe('out 1\nerr\nout 2\n');
  });

  it('passes TTY logs through as they are', () => {
    expect(demultiplex(Buffer.from('plain tty output\n'))).toBe('plain tty output\n');
  });
});

describe('dockerOptions', () => {
  it('leaves the default to DOCKER_HOST / the local socket', () => {
    expect(dockerOptions(undefined)).toBeUndefined();
  });
  it('reads unix and tcp endpoints', () => {
    expect(dockerOptions('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(dockerOptions('tcp://127.0.0.1:2375')).toEqual({ host: '127.0.0.1', port: 2375, protocol: 'http' });
  });
  it('rejects what it cannot use', () => {
    expect(() => dockerOptions('ssh://me@box')).toThrow(/Unsupported Docker endpoint 'ssh:\/\/me@box'/);
  });
});
