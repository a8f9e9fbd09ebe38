import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { radianceHdr } from '../support/asset-files';
import { PolyHavenStandIn } from '../support/polyhaven-standin';
import { Harness } from '../support/sessions-harness';

// AI clients through the MCP endpoint, with the SDK's own Client over real HTTP, against the real image.
const engine = testEngine();
let h: Harness;
let url: string;
let ada: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;
let adaToken: string;
let bobToken: string;
const clients: Client[] = [];
const polyhaven = new PolyHavenStandIn({
  kloppenheim_06: { name: 'Kloppenheim 06', type: 0, categories: ['outdoor', 'skies'], authors: { 'Greg Zaal': 'All' }, download_count: 5000 },
  studio_small_09: { name: 'Studio Small 09', type: 0, categories: ['indoor', 'studio'], authors: { 'Sergej Majboroda': 'All' }, download_count: 900 },
  brick_wall_02: { name: 'Brick Wall 02', type: 1, categories: ['brick', 'outdoor'], authors: { 'Rob Tuytel': 'Photography' }, download_count: 3000 },
});

async function connect(token: string | null): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} } });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (result: any) => (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');

beforeAll(async () => {
  h = await new Harness(engine, { polyhavenUrl: await polyhaven.listen() }).init();
  url = await h.openMcp();
  await h.accounts.createAccount({ username: 'ada', password: 'ada password' });
  await h.accounts.createAccount({ username: 'bob', password: 'bob password' });
  ada = await h.window('ada', 'ada password');
  bob = await h.window('bob', 'bob password');
  adaToken = (await ada.call('mcpTokens.create', { name: 'Claude Code', password: 'ada password' })).token;
  bobToken = (await bob.call('mcpTokens.create', { name: 'Cursor', password: 'bob password' })).token;
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await h?.cleanup();
  await polyhaven.close();
});

describe('the MCP endpoint', () => {
  it('offers blender-mcp\'s tools and ours', async () => {
    const client = await connect(adaToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'download_polyhaven_asset', 'download_sketchfab_model', 'execute_blender_code', 'generate_hunyuan3d_model', 'generate_hyper3d_model_via_images', 'generate_hyper3d_model_via_text',
      'get_hunyuan3d_status', 'get_hyper3d_status', 'get_object_info', 'get_polyhaven_categories', 'get_polyhaven_status', 'get_scene_info', 'get_session_status',
      'get_sketchfab_model_preview', 'get_sketchfab_status', 'get_viewport_screenshot', 'import_generated_asset', 'import_generated_asset_hunyuan', 'poll_hunyuan_job_status',
      'poll_rodin_job_status', 'search_polyhaven_assets', 'search_sketchfab_models', 'set_texture', 'start_blender',
    ]);
    expect(tools.find((t) => t.name === 'download_sketchfab_model')!.inputSchema.required).toEqual(['uid', 'target_size']);
    expect(tools.find((t) => t.name === 'get_object_info')!.inputSchema.properties).toHaveProperty('object_name');
  });

  it('searches PolyHaven as blender-mcp\'s tools do, each call in the person\'s History', async () => {
    const a = await connect(adaToken);
    expect(text(await a.callTool({ name: 'get_polyhaven_status', arguments: {} }))).toMatch(/^PolyHaven is reachable/);
    expect(text(await a.callTool({ name: 'get_polyhaven_categories', arguments: { asset_type: 'hdris' } }))).toBe(
      'Categories for hdris:\n\n- all: 2 assets\n- outdoor: 1 assets\n- skies: 1 assets\n- indoor: 1 assets\n- studio: 1 assets',
    );
    const found = text(await a.callTool({ name: 'search_polyhaven_assets', arguments: { asset_type: 'all', categories: 'outdoor' } }));
    expect(found).toMatch(/^Found 2 assets in categories: outdoor\nShowing 2 assets:/);
    expect(found.indexOf('Kloppenheim 06 (ID: kloppenheim_06)')).toBeLessThan(found.indexOf('Brick Wall 02 (ID: brick_wall_02)'));
    expect(found).not.toContain('Studio Small 09');
    expect(ada.events).toContainEqual(['mcp.call', expect.objectContaining({ tool: 'search_polyhaven_assets', ok: true })]);
    const refused = await a.callTool({ name: 'get_polyhaven_categories', arguments: { asset_type: 'sounds' } });
    expect(refused.isError).toBe(true);
  });

  it('adds a PolyHaven HDRI to the token owner\'s Blender only', async () => {
    polyhaven.fileTrees.set('kloppenheim_06', { hdri: { '1k': { hdr: polyhaven.serve('kloppenheim_06_1k.hdr', radianceHdr(16, 8)) } } });
    const a = await connect(adaToken);
    const added = await a.callTool({ name: 'download_polyhaven_asset', arguments: { asset_id: 'kloppenheim_06', asset_type: 'hdris' } });
    expect(text(added)).toBe('HDRI kloppenheim_06 is the world now');
    const world = 'import bpy\nw = bpy.context.scene.world\nprint([n.image.name for n in w.node_tree.nodes if n.type == "TEX_ENVIRONMENT"] if w and w.node_tree else [], end="")';
    expect(text(await a.callTool({ name: 'execute_blender_code', arguments: { code: world } }))).toBe("['kloppenheim_06']");
    const b = await connect(bobToken);
    expect(text(await b.callTool({ name: 'execute_blender_code', arguments: { code: world } }))).toBe('[]');
    expect(ada.events).toContainEqual(['mcp.call', expect.objectContaining({ tool: 'download_polyhaven_asset', ok: true })]);
  });

  it('offers blender-mcp\'s asset_creation_strategy prompt, naming the asset tools it offers', async () => {
    const client = await connect(adaToken);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['asset_creation_strategy']);
    const prompt = await client.getPrompt({ name: 'asset_creation_strategy' });
    const said = (prompt.messages[0]!.content as { text: string }).text;
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const named = [...said.matchAll(/\b([a-z]+(?:_[a-z0-9]+)+)\b/g)].map((m) => m[1]!).filter((w) => !['target_size'].includes(w));
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((name) => !tools.includes(name))).toEqual([]); // every tool it names is one this endpoint has
  });

  it('refuses fal.ai\'s request_id with the reason, as only Rodin\'s main site is offered', async () => {
    const a = await connect(adaToken);
    expect(text(await a.callTool({ name: 'poll_rodin_job_status', arguments: { request_id: 'abc-123-def' } }))).toMatch(/fal.ai's request_id is not/);
    expect(text(await a.callTool({ name: 'get_hyper3d_status', arguments: {} }))).toMatch(/add HYPER3D_API_KEY in Keys/);
  });

  it('tells an AI client of someone without a Sketchfab key which key to add', async () => {
    const b = await connect(bobToken);
    expect(text(await b.callTool({ name: 'get_sketchfab_status', arguments: {} }))).toMatch(/add SKETCHFAB_API_KEY in Keys/);
    const refused = await b.callTool({ name: 'search_sketchfab_models', arguments: { query: 'chair' } });
    expect([refused.isError, text(refused)]).toEqual([true, 'Sketchfab needs your own API key: add SKETCHFAB_API_KEY in Keys']);
  });

  it('acts on the token owner\'s Blender only', async () => {
    const a = await connect(adaToken);
    const b = await connect(bobToken);
    const made = await a.callTool({ name: 'execute_blender_code', arguments: { code: 'import bpy\nbpy.ops.mesh.primitive_monkey_add()\nbpy.context.active_object.name = "AdasMonkey"\nprint("made")' } });
    expect(text(made)).toBe('made\n');
    expect(text(await a.callTool({ name: 'get_scene_info', arguments: {} }))).toContain('AdasMonkey');
    expect(text(await b.callTool({ name: 'get_scene_info', arguments: {} }))).not.toContain('AdasMonkey');
    const info = JSON.parse(text(await a.callTool({ name: 'get_object_info', arguments: { object_name: 'AdasMonkey' } })));
    expect(info).toMatchObject({ name: 'AdasMonkey', type: 'MESH' });
  });

  it('returns the viewport as PNG image content', async () => {
    const client = await connect(bobToken);
    const shot = (await client.callTool({ name: 'get_viewport_screenshot', arguments: { max_size: 300 } })) as any;
    expect(shot.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(Buffer.from(shot.content[0].data, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('shows each call live in its person\'s History, with the token\'s name, and to nobody else', async () => {
    const client = await connect(adaToken);
    const before = bob.events.length;
    await client.callTool({ name: 'get_scene_info', arguments: {} });
    expect(ada.events).toContainEqual(['mcp.call', expect.objectContaining({ tokenName: 'Claude Code', tool: 'get_scene_info', ok: true })]);
    expect(bob.events.slice(before).filter(([e]) => e === 'mcp.call')).toEqual([]);
    expect(h.sessions.get((await ada.call('auth.whoAmI')).id)!.lastActivityAt).not.toBeNull();
  });

  it('says a stopped Blender is stopped and names start_blender, which brings it back with progress', async () => {
    const client = await connect(bobToken);
    await bob.call('session.stop');
    const refused = (await client.callTool({ name: 'get_scene_info', arguments: {} })) as any;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe('Your Blender is not running. Call start_blender to start it, then try again.');
    const progress: string[] = [];
    const started = await client.callTool({ name: 'start_blender', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.message ?? ''), timeout: 180_000 });
    expect(text(started)).toBe('Your Blender is ready.');
    expect(progress).toEqual(expect.arrayContaining(['Starting Blender', 'Your Blender is ready']));
    expect(JSON.parse(text(await client.callTool({ name: 'get_session_status', arguments: {} })))).toMatchObject({ state: 'ready' });
  });
});

describe('who gets in', () => {
  const post = (headers: Record<string, string>, body: unknown = { jsonrpc: '2.0', id: 1, method: 'tools/list' }) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });

  it('refuses a missing, unknown or revoked token with 401', async () => {
    expect((await post({})).status).toBe(401);
    expect((await post({ Authorization: 'Bearer blab_not-a-real-token' })).status).toBe(401);
    const { id, token } = await bob.call('mcpTokens.create', { name: 'Short-lived', password: 'bob password' });
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(200);
    await bob.call('mcpTokens.revoke', { id });
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('refuses a web page\'s request (403 for a foreign Origin) and a non-loopback Host (403)', async () => {
    expect((await post({ Authorization: `Bearer ${adaToken}`, Origin: 'https://attacker.example' })).status).toBe(403);
    const port = new URL(url).port;
    const rebind = await new Promise<number>((resolve) => {
      // fetch will not let a test set Host; a raw request does.
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { Host: `attacker.example:${port}`, Authorization: `Bearer ${adaToken}` } }, (res) => resolve(res.statusCode!));
        req.end('{}');
      });
    });
    expect(rebind).toBe(403);
  });

  it('stops a reset, disabled or deleted person\'s tokens at once, and for good', async () => {
    const cy = await h.accounts.createAccount({ username: 'cy', password: 'cy password' });
    const early = h.mcpTokens.create(cy.id, 'Before the reset').token;
    expect((await post({ Authorization: `Bearer ${early}` })).status).toBe(200);
    await ada.call('admin.resetPassword', { userId: cy.id, password: 'a reset password' });
    expect((await post({ Authorization: `Bearer ${early}` })).status).toBe(401);
    const { token } = h.mcpTokens.create(cy.id, 'Before disabling');
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(200);
    await ada.call('admin.setDisabled', { userId: cy.id, disabled: true });
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(401);
    await ada.call('admin.setDisabled', { userId: cy.id, disabled: false });
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(401);
    const late = h.mcpTokens.create(cy.id, 'After').token;
    await ada.call('admin.deleteUser', { userId: cy.id, deleteData: false });
    expect((await post({ Authorization: `Bearer ${late}` })).status).toBe(401);
    expect((await post({ Authorization: `Bearer ${token}` })).status).toBe(401);
    expect(h.mcpTokens.list(cy.id)).toEqual([]);
  });

  it('answers plain JSON-RPC over HTTP, as any client would send it', async () => {
    const auth = { Authorization: `Bearer ${adaToken}` };
    const init = await post(auth, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } });
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('"serverInfo":{"name":"blender-lab"');
    const called = await post(auth, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'execute_blender_code', arguments: { code: 'print(6 * 7)' } } });
    expect(await called.text()).toContain('"text":"42\\n"');
  });
});

describe('tokens', () => {
  it('are shown once, listed without the token, and an administrator sees everyone\'s', async () => {
    const own = await bob.call('mcpTokens.list');
    expect(own.every((t: { userId: string }) => t.userId === own[0].userId)).toBe(true);
    expect(JSON.stringify(own)).not.toContain(bobToken);
    expect(own.find((t: { name: string }) => t.name === 'Cursor').lastUsedAt).not.toBeNull();
    const all = await ada.call('mcpTokens.list');
    expect(all.map((t: { username: string }) => t.username)).toEqual(expect.arrayContaining(['ada', 'bob']));
  });

  it('cannot be revoked by someone else, and refuse bad names with a clear message', async () => {
    const adas = (await ada.call('mcpTokens.list')).find((t: { username: string }) => t.username === 'ada');
    await expect(bob.call('mcpTokens.revoke', { id: adas.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(bob.call('mcpTokens.create', { name: '   ', password: 'bob password' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Token name is required' });
    await expect(bob.call('mcpTokens.create', { name: 'Cursor', password: 'bob password' })).rejects.toMatchObject({ code: 'CONFLICT', message: 'You already have a token named Cursor' });
  });

  it('the endpoint\'s address is known to the panel', async () => {
    expect(await bob.call('mcp.endpoint')).toBe(url);
  });
});
