import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Method } from '../../../shared/api';
import type { StartStep } from '../../../shared/sessions';

/** Calls `method` for the token's owner, shapes its answer for the client, and shows the call in their History. */
export type ToolCall = (tool: string, method: Method, input: object, shape: (value: never) => CallToolResult, progress?: (message: string, step: StartStep) => void) => Promise<CallToolResult>;

const START_STEPS: StartStep[] = ['image', 'volume', 'container', 'queue', 'booting', 'ui', 'addon', 'scene', 'ready'];

/** blender-mcp's tools for the person's own Blender, and ours for their session. */
export function blenderTools(server: McpServer, call: ToolCall): void {
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
}

export function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

export function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

