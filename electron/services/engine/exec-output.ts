import { AppError } from '../../../shared/errors';

/** The most a command run in a container may print on stdout for the panel: far above any helper's answer. */
export const EXEC_OUTPUT_LIMIT = 8 * 1024 * 1024;

/**
 * Reads Docker's multiplexed exec stream (8-byte frame headers, stdout = 1, stderr = 2) as it
 * arrives, keeping stdout only and at most `limit` bytes of it: a container that prints without
 * end, or more than it should, is cut off there rather than held in the panel's memory. Stderr
 * is counted out, never kept.
 */
export function readStdout(stream: NodeJS.ReadableStream & { destroy?: (error?: Error) => void }, limit = EXEC_OUTPUT_LIMIT, what = 'the command'): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let header = Buffer.alloc(0);
    let kind = 0;
    let left = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      stream.removeListener('data', onData);
      stream.destroy?.();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length && !settled) {
        if (left === 0) {
          const take = Math.min(8 - header.length, chunk.length - offset);
          header = Buffer.concat([header, chunk.subarray(offset, offset + take)]);
          offset += take;
          if (header.length < 8) return;
          kind = header[0]!;
          left = header.readUInt32BE(4);
          header = Buffer.alloc(0);
          if (kind > 2) return fail(new AppError('INTERNAL', `Docker sent ${what}'s output in a form the panel does not read`));
          continue;
        }
        const take = Math.min(left, chunk.length - offset);
        if (kind === 1) {
          keptBytes += take;
          if (keptBytes > limit) return fail(new AppError('INTERNAL', `${what} printed more than ${Math.round(limit / 1024)} KiB; the panel stopped reading it`));
          kept.push(chunk.subarray(offset, offset + take));
        }
        offset += take;
        left -= take;
      }
    };
    const done = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(kept).toString('utf8'));
    };
    stream.on('data', onData);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (error: Error) => fail(error));
  });
}
