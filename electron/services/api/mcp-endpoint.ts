import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { User } from '../../../shared/accounts';
import type { Method, Reply } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { McpCall } from '../../../shared/mcp';
import type { ApiServer } from './api-server';
import type { McpTokenService } from '../accounts/mcp-tokens';
import { bodyText } from './http-body';
import { assetTools } from './mcp-asset-tools';
import { blenderTools, type ToolCall } from './mcp-tools';

export interface McpEndpointDeps {
  api: ApiServer;
  tokens: McpTokenService;
  userOf: (userId: string) => User | null;
  log?: (message: string) => void;
}

/** Requests larger than this are refused before parsing (Python code is at most 1 MiB of one). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The AI clients' way in: one Streamable HTTP MCP endpoint on 127.0.0.1. Every request names its
 * person by a personal access token; every tool acts on that person's Blender only, through the
 * same handler table (and so the same rights and validation) as the panel's own calls.
 */
export class McpEndpoint {
  private server: http.Server | null = null;
  private origins = new Set<string>();

  constructor(private readonly deps: McpEndpointDeps) {}

  /** Listens on 127.0.0.1:`port` (0: any free port); a taken port is a clear PORT_TAKEN. */
  async listen(port: number): Promise<number> {
    const server = http.createServer((req, res) => void this.serve(req, res));
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new AppError('PORT_TAKEN', `The AI clients' port ${port} is taken by another program: choose another mcpPort in Settings`) : error),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.port()!;
  }

  /** Origins (besides none at all) a request may come from: the panel's own. */
  allowOrigins(origins: string[]): void {
    this.origins = new Set(origins);
  }

  url(): string | null {
    const port = this.port();
    return port ? `http://127.0.0.1:${port}/mcp` : null;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const deny = (status: number, message: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...extra }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
    };
    try {
      const port = this.port();
      if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return deny(403, 'Host must be 127.0.0.1 or localhost');
      if (req.headers.origin !== undefined && !this.origins.has(req.headers.origin)) return deny(403, 'Requests from web pages are not accepted');
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') return deny(404, 'The endpoint is /mcp');
      const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const owner = presented ? this.deps.tokens.use(presented) : null;
      const person = owner ? this.deps.userOf(owner.userId) : null;
      if (!owner || !person || person.disabled) {
        return deny(401, 'A valid personal access token is required (Authorization: Bearer …); create one on the panel\'s AI clients page', { 'WWW-Authenticate': 'Bearer' });
      }
      if (req.method !== 'POST') return deny(405, 'This endpoint answers POST requests only', { Allow: 'POST' });
      const body = await readJson(req);
      if (body === undefined) return deny(400, `The request must be JSON of at most ${MAX_BODY_BYTES / 1024 / 1024} MiB`);

      // Stateless: a server and transport for this request alone, bound to the token's owner.
      const server = this.serverFor(person, owner.name);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: false });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      this.deps.log?.(`an AI client's request failed: ${(error as Error).message}`);
      if (!res.headersSent) deny(500, 'The request could not be handled');
      else res.end();
    }
  }

  private serverFor(person: User, tokenName: string): McpServer {
    const server = new McpServer({ name: 'blender-lab', version: '1.0.0' });
    const call: ToolCall = async (tool, method, input, shape, progress) => {
      const reply = (await this.deps.api.callFor(person, method, input, (p) => progress?.(p.message, p.step))) as Reply<Method>;
      const result = reply.ok ? shape(reply.value as never) : failure(reply.error.code, reply.error.message);
      this.deps.api.sendTo(person.id, 'mcp.call', historyEntry(tokenName, tool, result));
      return result;
    };

    blenderTools(server, call);
    assetTools(server, call);
    return server;
  }
}

function failure(code: string, message: string): CallToolResult {
  const text = code === 'SESSION_NOT_READY' ? 'Your Blender is not running. Call start_blender to start it, then try again.' : message;
  return { isError: true, content: [{ type: 'text', text }] };
}

function historyEntry(tokenName: string, tool: string, result: CallToolResult): McpCall {
  const first = result.content[0];
  const entry: McpCall['result'] = result.isError
    ? { kind: 'error', message: first?.type === 'text' ? first.text : 'failed' }
    : first?.type === 'image'
      ? { kind: 'image', base64: first.data, ...pngSize(first.data) }
      : { kind: 'text', value: first?.type === 'text' ? first.text : '' };
  return { tokenName, tool, ok: !result.isError, result: entry };
}

/** Width and height from a PNG's header. */
function pngSize(base64: string): { width: number; height: number } {
  const head = Buffer.from(base64.slice(0, 48), 'base64');
  return head.length >= 24 ? { width: head.readUInt32BE(16), height: head.readUInt32BE(20) } : { width: 0, height: 0 };
}

/** The parsed body, or undefined when it is too large or not JSON. */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = await bodyText(req, MAX_BODY_BYTES);
  try {
    return text === null ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
