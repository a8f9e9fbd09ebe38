import { AppError } from '../../../shared/errors';

interface DockerodeError {
  statusCode?: number;
  code?: string;
  message?: string;
  reason?: string;
  json?: { message?: string } | null;
  address?: string;
}

/** The HTTP status Docker answered with, when the failure was an answer at all. */
export function dockerStatus(error: unknown): number | undefined {
  return (error as DockerodeError | null)?.statusCode;
}

/** Turns what dockerode throws into an AppError a person can act on. */
export function toEngineError(error: unknown, doing: string): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as DockerodeError;
  const detail = (e.json?.message ?? e.message ?? String(error)).trim();

  if (e.code && ['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EPIPE'].includes(e.code)) {
    return new AppError('DOCKER_UNAVAILABLE', `Docker is not running or not reachable${e.address ? ` at ${e.address}` : ''} (${e.code}) while trying to ${doing}. Start the Docker engine and try again.`, { cause: error });
  }
  if ((e.code && /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(e.code)) || /certificate|tlsv1 alert|ssl alert/i.test(detail)) {
    return new AppError(
      'DOCKER_UNAVAILABLE',
      `The TLS handshake with the Docker engine failed (${e.code ?? detail}) while trying to ${doing}: check that the CA certificate is the one that signed the engine's, and that the engine accepts this panel's certificate.`,
      { cause: error },
    );
  }
  if (e.code === 'EACCES') {
    return new AppError('DOCKER_UNAVAILABLE', `Permission denied on the Docker socket${e.address ? ` ${e.address}` : ''} while trying to ${doing}. Run the panel as a user in the 'docker' group.`, { cause: error });
  }
  if (/port is already allocated|address already in use/i.test(detail)) {
    const port = /:(\d+)/.exec(detail.replace(/^.*?(Bind for|listen tcp\S*)/i, ''))?.[1];
    return new AppError('PORT_TAKEN', `Port ${port ?? ''} is already taken by another program, so Docker could not ${doing}.`.replace('Port  ', 'A port '), { cause: error });
  }
  if (/cannot allocate memory|out of memory|oom/i.test(detail)) {
    return new AppError('OUT_OF_MEMORY', `Not enough memory to ${doing}: ${detail}`, { cause: error });
  }
  if (e.statusCode === 404 && /no such image|not found: manifest unknown|pull access denied/i.test(detail)) {
    return new AppError('IMAGE_MISSING', `The Blender image is missing (${detail}). Build it with 'npm run image'.`, { cause: error });
  }
  if (e.statusCode === 404) return new AppError('NOT_FOUND', `Could not ${doing}: ${detail}`, { cause: error });
  if (e.statusCode === 409) return new AppError('CONFLICT', `Could not ${doing}: ${detail}`, { cause: error });
  return new AppError('INTERNAL', `Docker failed to ${doing}: ${detail}`, { cause: error });
}
