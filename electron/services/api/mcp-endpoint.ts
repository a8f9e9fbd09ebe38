import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { User } from '../../../shared/accounts';
import { polyhavenTypeOrAllSchema, polyhavenTypeSchema, resolutionSchema, type AssetAdded, type AssetSearch, type SketchfabSearch, type SourceStatus } from '../../../shared/assets';
import type { Method, Reply } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { McpCall } from '../../../shared/mcp';
import type { StartStep } from '../../../shared/sessions';
import type { ApiServer } from './api-server';
import type { McpTokenService } from '../accounts/mcp-tokens';
import { bodyText } from './http-body';

export interface McpEndpointDeps {
  api: ApiServer;
  tokens: McpTokenService;
  userOf: (userId: string) => User | null;
  log?: (message: string) => void;
}

/** Requests larger than this are refused before parsing (Python code is at most 1 MiB of one). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const START_STEPS: StartStep[] = ['image', 'volume', 'container', 'queue', 'booting', 'ui', 'addon', 'scene', 'ready'];

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
    const call = async (tool: string, method: Method, input: object, shape: (value: never) => CallToolResult, progress?: (message: string, step: StartStep) => void) => {
      const reply = (await this.deps.api.callFor(person, method, input, (p) => progress?.(p.message, p.step))) as Reply<Method>;
      const result = reply.ok ? shape(reply.value as never) : failure(reply.error.code, reply.error.message);
      this.deps.api.sendTo(person.id, 'mcp.call', historyEntry(tokenName, tool, result));
      return result;
    };

    server.registerTool(
      'get_scene_info',
      { description: 'Name, objects (name, type, location) and material count of the scene in your Blender.', inputSchema: {} },
      () => call('get_scene_info', 'blender.sceneInfo', {}, json),
    );
    server.registerTool(
      'get_object_info',
      { description: 'Location, rotation, scale, visibility, materials and (for meshes) bounding box and counts of one object.', inputSchema: { object_name: z.string().describe('The object\'s name') } },
      ({ object_name }) => call('get_object_info', 'blender.objectInfo', { name: object_name }, json),
    );
    server.registerTool(
      'execute_blender_code',
      { description: 'Runs Python in your Blender (bpy is imported) and returns what it printed.', inputSchema: { code: z.string().describe('Python code to run') } },
      ({ code }) => call('execute_blender_code', 'blender.run', { code }, (value: { output: string }) => ({ content: [{ type: 'text', text: value.output }] })),
    );
    server.registerTool(
      'get_viewport_screenshot',
      { description: 'A PNG image of the 3D viewport of your Blender.', inputSchema: { max_size: z.number().int().min(16).max(4096).optional().describe('Longest side in pixels (default 800)') } },
      ({ max_size }) =>
        call('get_viewport_screenshot', 'blender.screenshot', max_size === undefined ? { maxSize: 800 } : { maxSize: max_size }, (shot: { image_base64: string }) => ({
          content: [{ type: 'image', data: shot.image_base64, mimeType: 'image/png' }],
        })),
    );
    server.registerTool(
      'get_polyhaven_status',
      { description: 'Whether PolyHaven (free HDRIs, textures and models, CC0) can be searched and added to your Blender.', inputSchema: {} },
      () => call('get_polyhaven_status', 'assets.polyhavenStatus', {}, (status: SourceStatus) => text(status.message)),
    );
    server.registerTool(
      'get_polyhaven_categories',
      { description: 'The categories of one kind of PolyHaven asset, with how many assets each holds.', inputSchema: { asset_type: polyhavenTypeOrAllSchema.default('hdris').describe('hdris, textures, models or all') } },
      ({ asset_type }) => call('get_polyhaven_categories', 'assets.polyhavenCategories', { assetType: asset_type }, (categories: Record<string, number>) => text(categoryList(asset_type, categories))),
    );
    server.registerTool(
      'search_polyhaven_assets',
      {
        description: 'PolyHaven assets of one kind, optionally in every one of some categories, most downloaded first (at most 20).',
        inputSchema: {
          asset_type: polyhavenTypeOrAllSchema.default('all').describe('hdris, textures, models or all'),
          categories: z.string().max(500).optional().describe('Comma-separated categories, all of which an asset must be in'),
        },
      },
      ({ asset_type, categories }) =>
        call('search_polyhaven_assets', 'assets.polyhavenSearch', { assetType: asset_type, ...(categories ? { categories } : {}), limit: 20 }, (found: AssetSearch) => text(assetList(found, categories))),
    );
    server.registerTool(
      'download_polyhaven_asset',
      {
        description: 'Adds a PolyHaven asset to your Blender: an HDRI becomes the world, a texture a material, a model goes into the scene. Fetched once for the lab, then from its cache.',
        inputSchema: {
          asset_id: z.string().max(128).describe('The asset\'s id, as search_polyhaven_assets lists it'),
          asset_type: polyhavenTypeSchema.describe('hdris, textures or models'),
          resolution: resolutionSchema.default('1k').describe('1k, 2k, 4k, …'),
          file_format: z.string().max(8).optional().describe('hdr or exr (HDRIs), jpg, png or exr (textures), gltf, fbx or blend (models)'),
        },
      },
      ({ asset_id, asset_type, resolution, file_format }) =>
        call('download_polyhaven_asset', 'assets.polyhavenDownload', { assetId: asset_id, assetType: asset_type, resolution, ...(file_format ? { fileFormat: file_format } : {}) }, (added: AssetAdded) =>
          text(`${added.message}${added.cached ? ' (from the lab\'s cache)' : ''}${added.imported_objects?.length ? `: ${added.imported_objects.join(', ')}` : ''}`),
        ),
    );
    server.registerTool(
      'set_texture',
      { description: 'Gives an object of your scene the material of a PolyHaven texture added before.', inputSchema: { object_name: z.string().max(1024), texture_id: z.string().max(200) } },
      ({ object_name, texture_id }) => call('set_texture', 'assets.setTexture', { objectName: object_name, textureId: texture_id }, (done: { message: string }) => text(done.message)),
    );
    server.registerTool(
      'get_sketchfab_status',
      { description: 'Whether Sketchfab can be searched with your own key (SKETCHFAB_API_KEY in Keys), and as whom.', inputSchema: {} },
      () => call('get_sketchfab_status', 'assets.sketchfabStatus', {}, (status: SourceStatus) => text(status.message)),
    );
    server.registerTool(
      'search_sketchfab_models',
      {
        description: 'Sketchfab models matching a query, with their uid, author and licence.',
        inputSchema: {
          query: z.string().max(200).describe('What to look for'),
          categories: z.string().max(500).optional().describe('Comma-separated category slugs'),
          count: z.number().int().min(1).max(24).default(20).describe('How many, at most 24'),
          downloadable: z.boolean().default(true).describe('Only models that can be downloaded'),
        },
      },
      ({ query, categories, count, downloadable }) =>
        call('search_sketchfab_models', 'assets.sketchfabSearch', { query, ...(categories ? { categories } : {}), count, downloadable }, (found: SketchfabSearch) => text(modelList(query, found))),
    );
    server.registerTool(
      'get_sketchfab_model_preview',
      { description: 'A picture of a Sketchfab model, to see it before adding it.', inputSchema: { uid: z.string().max(64).describe('The model\'s uid, as search_sketchfab_models lists it') } },
      ({ uid }) =>
        call('get_sketchfab_model_preview', 'assets.sketchfabPreview', { uid }, (p: { image_base64: string; format: string }) => ({
          content: [{ type: 'image', data: p.image_base64, mimeType: `image/${p.format}` }],
        })),
    );
    server.registerTool(
      'download_sketchfab_model',
      {
        description: 'Adds a Sketchfab model to your Blender, scaled so its largest side is target_size metres.',
        inputSchema: { uid: z.string().max(64), target_size: z.number().positive().max(10_000).describe('The largest side in metres, e.g. 1.0 for a chair') },
      },
      ({ uid, target_size }) =>
        call('download_sketchfab_model', 'assets.sketchfabDownload', { uid, targetSize: target_size }, (added: { message: string; imported_objects: string[]; dimensions: number[] }) =>
          text(`${added.message}: ${added.imported_objects.join(', ')} (${added.dimensions.join(' × ')} m)`),
        ),
    );
    server.registerTool(
      'get_session_status',
      { description: 'Whether your Blender is running (state, since when, last activity).', inputSchema: {} },
      () =>
        call('get_session_status', 'session.mine', {}, (view: { state: string; startedAt: string | null; lastActivityAt: string | null; reason: string | null } | null) =>
          json(view ? { state: view.state, startedAt: view.startedAt, lastActivityAt: view.lastActivityAt, reason: view.reason } : { state: 'stopped' }),
        ),
    );
    server.registerTool(
      'start_blender',
      { description: 'Starts your Blender (with your saved work) if it is not running, reporting progress.', inputSchema: {} },
      (_args, extra) => {
        const token = extra._meta?.progressToken;
        const progress = (message: string, step: StartStep) => {
          if (token === undefined) return;
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: START_STEPS.indexOf(step) + 1, total: START_STEPS.length, message } }).catch(() => {});
        };
        return call('start_blender', 'session.start', {}, (view: { state: string }) => ({ content: [{ type: 'text', text: `Your Blender is ${view.state}.` }] }), progress);
      },
    );
    server.registerPrompt('asset_creation_strategy', { description: 'How to build a scene in your Blender with the asset libraries and tools this panel offers.' }, () => ({
      messages: [{ role: 'user', content: { type: 'text', text: ASSET_CREATION_STRATEGY } }],
    }));
    return server;
  }
}

/** The order of work an AI client is asked to follow: look first, use real assets where they fit, code for the rest, check by looking again. */
const ASSET_CREATION_STRATEGY = [
  'When you build 3D content in this Blender:',
  '1. Look first: get_scene_info, and get_viewport_screenshot to see the scene as it is.',
  '2. Check which libraries answer: get_polyhaven_status and get_sketchfab_status (Sketchfab needs the person\'s own key; its status says which key to add).',
  '3. Prefer real assets where they fit:',
  '   - PolyHaven (free, CC0): search_polyhaven_assets by kind and category; download_polyhaven_asset makes an HDRI the world, a texture a material (give it to objects with set_texture), and adds a model to the scene. Start at 1k; ask for more only when it matters.',
  '   - Sketchfab: search_sketchfab_models, look with get_sketchfab_model_preview before adding, then download_sketchfab_model with a sensible target_size in metres (a chair about 1, a car about 4.5). Tell the person each model\'s licence and author.',
  '4. Build with execute_blender_code what no library has (simple shapes, arrangements, materials, lights, cameras), in small steps.',
  '5. After every change, get_viewport_screenshot again and check the result: placement, scale, and that nothing overlaps by mistake.',
  '6. Never delete or overwrite the person\'s own objects unless they ask; their scene is saved with their work.',
].join('\n');

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

function categoryList(type: string, categories: Record<string, number>): string {
  const lines = Object.entries(categories).sort((a, b) => b[1] - a[1]).map(([name, count]) => `- ${name}: ${count} assets`);
  return `Categories for ${type}:\n\n${lines.join('\n')}`;
}

function assetList(found: AssetSearch, categories: string | undefined): string {
  const head = `Found ${found.total} assets${categories ? ` in categories: ${categories}` : ''}\nShowing ${found.assets.length} assets:`;
  const entries = found.assets.map((a) => `- ${a.name} (ID: ${a.id})\n  Type: ${a.type}\n  Categories: ${a.categories.join(', ')}\n  Authors: ${a.authors.join(', ')}\n  License: ${a.license}\n  Downloads: ${a.downloadCount}`);
  return [head, ...entries].join('\n\n');
}

function modelList(query: string, found: SketchfabSearch): string {
  const entries = found.models.map((m) => `- ${m.name} (UID: ${m.uid})\n  Author: ${m.author}\n  License: ${m.license}\n  Downloadable: ${m.downloadable ? 'yes' : 'no'}`);
  return [`Found ${found.total} models matching '${query}':`, ...entries].join('\n\n');
}

function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
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
