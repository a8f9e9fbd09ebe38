import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { polyhavenTypeOrAllSchema, polyhavenTypeSchema, resolutionSchema, type AssetAdded, type AssetSearch, type SketchfabSearch, type SourceStatus } from '../../../shared/assets';
import { json, text, type ToolCall } from './mcp-tools';

/** blender-mcp's asset-library tools and its asset_creation_strategy prompt. */
export function assetTools(server: McpServer, call: ToolCall): void {
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
  const bbox = z.array(z.number().positive()).length(3).optional().describe('The ratio of [length, width, height] of the model');
  const falOnly = () => text('Only Hyper3D Rodin\'s main site is offered here (a task_uuid and a subscription_key); fal.ai\'s request_id is not.');
  server.registerTool(
    'get_hyper3d_status',
    { description: 'Whether Hyper3D Rodin can generate models with your own key (HYPER3D_API_KEY in Keys).', inputSchema: {} },
    () => call('get_hyper3d_status', 'assets.hyper3dStatus', {}, (status: SourceStatus) => text(status.message)),
  );
  server.registerTool(
    'generate_hyper3d_model_via_text',
    { description: 'Starts generating a model (with its materials) from a short description in English; poll it, then import it.', inputSchema: { text_prompt: z.string().max(2000), bbox_condition: bbox } },
    ({ text_prompt, bbox_condition }) => call('generate_hyper3d_model_via_text', 'assets.hyper3dGenerate', { prompt: text_prompt, ...(bbox_condition ? { bbox: bbox_condition } : {}) }, json),
  );
  server.registerTool(
    'generate_hyper3d_model_via_images',
    {
      description: 'Starts generating a model from pictures of it: files of yours (paths in your home) or https addresses, not both.',
      inputSchema: { input_image_paths: z.array(z.string().max(1024)).max(5).optional(), input_image_urls: z.array(z.string().max(2048)).max(5).optional(), bbox_condition: bbox },
    },
    ({ input_image_paths, input_image_urls, bbox_condition }) =>
      call('generate_hyper3d_model_via_images', 'assets.hyper3dGenerate', { ...(input_image_paths ? { imagePaths: input_image_paths } : {}), ...(input_image_urls ? { imageUrls: input_image_urls } : {}), ...(bbox_condition ? { bbox: bbox_condition } : {}) }, json),
  );
  server.registerTool(
    'poll_rodin_job_status',
    { description: 'The status of each job of a generation: it is done when every one is "Done"; "Failed" means it failed.', inputSchema: { subscription_key: z.string().max(64).optional(), request_id: z.string().max(64).optional() } },
    ({ subscription_key }) => (subscription_key ? call('poll_rodin_job_status', 'assets.hyper3dPoll', { subscriptionKey: subscription_key }, json) : falOnly()),
  );
  server.registerTool(
    'import_generated_asset',
    { description: 'Adds a generated model to your scene as an object named `name`, once its jobs are done.', inputSchema: { name: z.string().max(200), task_uuid: z.string().max(64).optional(), request_id: z.string().max(64).optional() } },
    ({ name, task_uuid }) => (task_uuid ? call('import_generated_asset', 'assets.hyper3dImport', { name, taskUuid: task_uuid }, json) : falOnly()),
  );
  server.registerTool(
    'get_hunyuan3d_status',
    { description: 'Whether Hunyuan3D can generate models with your own Tencent Cloud keys (HUNYUAN3D_SECRET_ID and HUNYUAN3D_SECRET_KEY in Keys).', inputSchema: {} },
    () => call('get_hunyuan3d_status', 'assets.hunyuanStatus', {}, (status: SourceStatus) => text(status.message)),
  );
  server.registerTool(
    'generate_hunyuan3d_model',
    {
      description: 'Starts generating a model (with its materials) from a description (English or Chinese, at most 200 characters) or one picture: a path in your home or an https address.',
      inputSchema: { text_prompt: z.string().max(200).optional(), input_image_url: z.string().max(2048).optional() },
    },
    ({ text_prompt, input_image_url }) => call('generate_hunyuan3d_model', 'assets.hunyuanGenerate', { ...(text_prompt ? { prompt: text_prompt } : {}), ...(input_image_url ? { image: input_image_url } : {}) }, json),
  );
  server.registerTool(
    'poll_hunyuan_job_status',
    { description: 'A Hunyuan3D job\'s status: RUN while it works, DONE with ResultFile3Ds (the zip to import), FAIL with the reason.', inputSchema: { job_id: z.string().max(96) } },
    ({ job_id }) => call('poll_hunyuan_job_status', 'assets.hunyuanPoll', { jobId: job_id }, json),
  );
  server.registerTool(
    'import_generated_asset_hunyuan',
    { description: 'Adds a finished Hunyuan3D model to your scene as an object named `name`.', inputSchema: { name: z.string().max(200), zip_file_url: z.string().max(4096).describe('The Url poll_hunyuan_job_status gave') } },
    ({ name, zip_file_url }) => call('import_generated_asset_hunyuan', 'assets.hunyuanImport', { name, zipFileUrl: zip_file_url }, json),
  );
  server.registerPrompt('asset_creation_strategy', { description: 'How to build a scene in your Blender with the asset libraries and tools this panel offers.' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: ASSET_CREATION_STRATEGY } }],
  }));
}

/** The order of work an AI client is asked to follow: look first, use real assets where they fit, code for the rest, check by looking again. */
const ASSET_CREATION_STRATEGY = [
  'When you build 3D content in this Blender:',
  '1. Look first: get_scene_info, and get_viewport_screenshot to see the scene as it is.',
  '2. Check which libraries answer: get_polyhaven_status, get_sketchfab_status, get_hyper3d_status and get_hunyuan3d_status (all but PolyHaven need the person\'s own keys; their status says which to add).',
  '3. Prefer real assets where they fit:',
  '   - PolyHaven (free, CC0): search_polyhaven_assets by kind and category; download_polyhaven_asset makes an HDRI the world, a texture a material (give it to objects with set_texture), and adds a model to the scene. Start at 1k; ask for more only when it matters.',
  '   - Sketchfab: search_sketchfab_models, look with get_sketchfab_model_preview before adding, then download_sketchfab_model with a sensible target_size in metres (a chair about 1, a car about 4.5). Tell the person each model\'s licence and author.',
  '   - Hyper3D Rodin, for one object no library has: generate_hyper3d_model_via_text or generate_hyper3d_model_via_images, poll_rodin_job_status until every job is Done, then import_generated_asset with a name. Its models come at a normalized size: scale them after.',
  '   - Hunyuan3D likewise: generate_hunyuan3d_model, poll_hunyuan_job_status until DONE, then import_generated_asset_hunyuan with the zip address it gave.',
  '4. Build with execute_blender_code what no library has (simple shapes, arrangements, materials, lights, cameras), in small steps.',
  '5. After every change, get_viewport_screenshot again and check the result: placement, scale, and that nothing overlaps by mistake.',
  '6. Never delete or overwrite the person\'s own objects unless they ask; their scene is saved with their work.',
].join('\n');

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

