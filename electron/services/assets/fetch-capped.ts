import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';

/** How long a file's server may go without sending a byte before a download is given up. */
export const DOWNLOAD_STALL_MS = 30_000;

/** How far a download has got, as it is told to the window or client that asked. */
export interface DownloadProgress {
  /** Bytes in so far, of `total`; both 0 for an asset already in the cache. */
  bytes: number;
  total: number;
  message: string;
}

export interface FetchLimits {
  /** The most the answer may hold; beyond it the download stops and is refused. */
  maxBytes: number;
  /** How long the whole answer may take, from asking to its last byte. */
  timeoutMs: number;
  /** Content types (their media type, lower case) the answer may have. */
  accept: readonly string[];
  headers?: Record<string, string>;
  /** A POST of this body (JSON or a form), instead of a GET. */
  body?: FormData | string;
  /** What is fetched, in words for errors ("PolyHaven's asset list"). */
  what: string;
}

/**
 * A GET (or POST) of `url`, read as it arrives and refused beyond `maxBytes`, a wrong content
 * type, an error status or the deadline: an outside server is not trusted to answer well, or at all.
 */
export async function fetchCapped(url: string, limits: FetchLimits): Promise<Buffer> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    const post = limits.body === undefined ? {} : { method: 'POST', body: limits.body };
    // Redirects are not followed for a POST: its body (a prompt, a key-bearing request) goes to the address named only.
    response = await fetch(url, { headers: limits.headers, signal: deadline, redirect: limits.body === undefined ? 'follow' : 'error', ...post });
  } catch (error) {
    throw failure(error, limits, deadline);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new AppError(response.status === 404 ? 'NOT_FOUND' : 'ASSET_SOURCE_UNREACHABLE', `${limits.what} could not be fetched: the server answered ${response.status} ${response.statusText}`.trim());
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!limits.accept.includes(type)) {
    await response.body?.cancel().catch(() => {});
    throw new AppError('ASSET_REFUSED', `${limits.what} came as ${type || 'an unnamed type'}, not ${limits.accept.join(' or ')}: refused`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(limits);
  }
  try {
    return await readCapped(response, limits);
  } catch (error) {
    throw failure(error, limits, deadline);
  }
}

async function readCapped(response: Response, limits: FetchLimits): Promise<Buffer> {
  const parts: Buffer[] = [];
  let bytes = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > limits.maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge(limits);
    }
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** A JSON answer, fetched as above. */
export async function fetchJson(url: string, limits: Omit<FetchLimits, 'accept'>): Promise<unknown> {
  const body = await fetchCapped(url, { ...limits, accept: ['application/json'] });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('ASSET_REFUSED', `${limits.what} was not valid JSON: refused`);
  }
}

function tooLarge(limits: { what: string; maxBytes: number }): AppError {
  return new AppError('ASSET_REFUSED', `${limits.what} is larger than ${mebibytes(limits.maxBytes)}: refused`);
}

function failure(error: unknown, limits: FetchLimits, deadline: AbortSignal): AppError {
  if (error instanceof AppError) return error;
  if (deadline.aborted) return new AppError('ASSET_SOURCE_TIMEOUT', `${limits.what} did not arrive within ${Math.round(limits.timeoutMs / 1000)} s`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new AppError('ASSET_SOURCE_UNREACHABLE', `${limits.what} could not be fetched: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error });
}

/** A size as a limit is named: whole MiB (KiB below one). */
export function mebibytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** A size as a download is told: MiB to a tenth (KiB below one). */
export function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

export interface StreamLimits {
  /** The file's size as its service declares it: the body must be exactly this long. */
  size: number;
  /** Its MD5 as the service declares it, checked once the last byte is in. */
  md5: string;
  /** How long the server may go without sending a byte (a large file takes as long as it takes). */
  stallMs: number;
  what: string;
}

/**
 * A GET of one file as a stream of exactly `size` bytes with the declared MD5: the stream fails
 * (so whatever it was written into is not kept) when the server sends more, less, other bytes,
 * or stalls.
 */
export async function* fetchFile(url: string, limits: StreamLimits): AsyncGenerator<Uint8Array> {
  const hash = createHash('md5');
  let received = 0;
  const tooLarge = `${limits.what} is larger than the ${limits.size} bytes its service declared: refused`;
  for await (const chunk of fetchUpTo(url, { maxBytes: limits.size, stallMs: limits.stallMs, what: limits.what, tooLarge })) {
    received += chunk.byteLength;
    hash.update(chunk);
    yield chunk;
  }
  if (received < limits.size) throw new AppError('ASSET_REFUSED', `${limits.what} ended after ${received} of the ${limits.size} bytes its service declared: refused`);
  if (hash.digest('hex') !== limits.md5) throw new AppError('ASSET_REFUSED', `${limits.what} is not the file its service declared (its MD5 differs): refused`);
}

/**
 * A GET of a file whose size is not known ahead, as a stream refused beyond `maxBytes` or after
 * `stallMs` of silence; `counted` hears the bytes in so far.
 */
export async function* fetchUpTo(
  url: string,
  limits: { maxBytes: number; stallMs: number; what: string; tooLarge?: string },
  counted: (bytes: number) => void = () => {},
): AsyncGenerator<Uint8Array> {
  const stalled = new AbortController();
  let timer = setTimeout(() => stalled.abort(), limits.stallMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: stalled.signal, redirect: 'follow' });
    } catch (error) {
      throw stalled.signal.aborted ? new AppError('ASSET_SOURCE_TIMEOUT', `${limits.what} did not start arriving within ${Math.round(limits.stallMs / 1000)} s`) : failure(error, { ...limits, timeoutMs: limits.stallMs, accept: [] }, stalled.signal);
    }
    if (!response.ok || !response.body) throw new AppError('ASSET_SOURCE_UNREACHABLE', `${limits.what} could not be fetched: the server answered ${response.status}`);
    let received = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        timer = setTimeout(() => stalled.abort(), limits.stallMs);
        received += chunk.byteLength;
        if (received > limits.maxBytes) throw new AppError('ASSET_REFUSED', limits.tooLarge ?? tooLarge(limits).message);
        counted(received);
        yield chunk;
      }
    } catch (error) {
      await response.body.cancel().catch(() => {});
      if (error instanceof AppError) throw error;
      throw stalled.signal.aborted ? new AppError('ASSET_SOURCE_TIMEOUT', `${limits.what} stopped arriving: nothing came for ${Math.round(limits.stallMs / 1000)} s`) : failure(error, { ...limits, timeoutMs: limits.stallMs, accept: [] }, stalled.signal);
    }
  } finally {
    clearTimeout(timer);
  }
}
