import { Writable } from 'node:stream';
import { AppError } from '../../../shared/errors';

/** The most a command run in a container may print on stdout for the panel: far above any helper's answer. */
export const EXEC_OUTPUT_LIMIT = 8 * 1024 * 1024;

/** Docker's own demultiplexer of an exec's stream (dockerode's `modem.demuxStream`): stdout and stderr apart. */
export type Demux = (stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void;

/**
 * What a command printed on stdout, kept as it arrives and at most `limit` bytes of it: a
 * container that prints without end, or more than it should, is cut off there rather than held
 * in the panel's memory. Stderr is read off and dropped, unless `withStderr` keeps it
 * interleaved with stdout as written (a container's log).
 */
export function readStdout(
  stream: NodeJS.ReadableStream & { destroy?: (error?: Error) => void },
  demux: Demux,
  limit = EXEC_OUTPUT_LIMIT,
  what = 'the command',
  withStderr = false,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      if (error) {
        stream.destroy?.();
        reject(error);
      } else resolve(Buffer.concat(kept).toString('utf8'));
    };
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        keptBytes += chunk.length;
        if (keptBytes > limit) settle(new AppError('INTERNAL', `${what} printed more than ${Math.round(limit / 1024)} KiB; the panel stopped reading it`));
        else if (!settled) kept.push(chunk);
        done();
      },
    });
    const stderr = withStderr ? stdout : new Writable({ write: (_chunk, _encoding, done) => done() });
    demux(stream, stdout, stderr);
    stream.on('end', () => settle(null));
    stream.on('close', () => settle(null));
    stream.on('error', (error: Error) => settle(error));
  });
}
