import type http from 'node:http';
import getRawBody from 'raw-body';

/** A request's body as text, or null when it is longer than `limit` bytes, not UTF-8, or cut off: never waits for more. */
export async function bodyText(req: http.IncomingMessage, limit: number): Promise<string | null> {
  try {
    return await getRawBody(req, { limit, encoding: 'utf8' });
  } catch {
    req.resume(); // what is left of a refused body is read off and dropped
    return null;
  }
}
