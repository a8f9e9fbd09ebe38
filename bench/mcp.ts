import { EngineControl } from '../electron/services/sessions/engine-control';
import { FileService } from '../electron/services/files/files';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AccountService } from '../electron/services/accounts/accounts';
import type { AccountsFile } from '../electron/services/accounts/accounts-file';
import { ApiServer } from '../electron/services/api/api-server';
import { BlenderClient } from '../electron/services/blender/blender-client';
import type { CredentialService } from '../electron/services/secrets/credentials';
import { MemoryStore } from '../electron/services/storage/document-store';
import type { Engine } from '../electron/services/engine/engine';
import { McpEndpoint } from '../electron/services/api/mcp-endpoint';
import { McpTokenService, type McpTokensFile } from '../electron/services/accounts/mcp-tokens';
import { PortAllocator } from '../electron/services/sessions/ports';
import { SessionManager } from '../electron/services/sessions/sessions';
import { SettingsService } from '../electron/services/settings/settings';
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings';
import { pct, round, sessionSecret } from './stats';
import { removeInstance } from './cleanup';
import { assetServices } from '../electron/services/assets/asset-services';


/** get_scene_info through the MCP endpoint (SDK client, HTTP, token, handler table) beside the panel's direct add-on client. */
export async function benchMcp(engine: Engine, image: string, calls: number) {
  const instance = `bench-${randomBytes(4).toString('hex')}`;
  const settings = new SettingsService(new MemoryStore<Settings>({ ...DEFAULT_SETTINGS, image, addonPortBase: 35000, uiPortBase: 37000, portRangeSize: 20 }));
  const accounts = new AccountService({ store: new MemoryStore<AccountsFile>({ version: 1, users: [] }), signUpAllowed: () => true, cost: { N: 1024, r: 8, p: 1 } });
  const sessions = new SessionManager({ engine, settings: () => settings.get(), ports: new PortAllocator(() => settings.get()), credentials: null, instance, imageSource: null, log: () => {} });
  const mcpTokens = new McpTokenService(new MemoryStore<McpTokensFile>({ version: 1, tokens: [] }), () => 'bench');
  const files = new FileService({ engine, sessions, settings: () => settings.get() });
  const api = new ApiServer({ accounts, sessions, settings, credentials: {} as CredentialService, files, mcpTokens, engine: new EngineControl({ engine, sessions, connect: () => engine, report: () => {} }, ''), ...assetServices({ engine, instance, settings: () => settings.get(), blender: sessions, keysOf: async () => ({}), home: files }), mcpUrl: () => null });
  const endpoint = new McpEndpoint({ api, tokens: mcpTokens, userOf: (id) => accounts.getUser(id) });
  await sessions.init();
  const user = await accounts.createAccount({ username: 'bench', password: 'bench password' });
  const session = await sessions.start(user);
  const { token } = mcpTokens.create(user.id, 'bench');
  await endpoint.listen(0);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint.url()!), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const secret = await sessionSecret(engine, session.containerName);
  const direct = new BlenderClient({ port: session.ports!.addon, secret });
  try {
    for (let i = 0; i < 30; i++) {
      await client.callTool({ name: 'get_scene_info', arguments: {} });
      await direct.request('get_scene_info', {});
    }
    const viaMcp: number[] = [];
    const viaClient: number[] = [];
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      await client.callTool({ name: 'get_scene_info', arguments: {} });
      viaMcp.push(performance.now() - t);
      t = performance.now();
      await direct.request('get_scene_info', {});
      viaClient.push(performance.now() - t);
    }
    return {
      calls,
      mcp_endpoint: { p50: round(pct(viaMcp, 50)), p99: round(pct(viaMcp, 99)) },
      panel_client: { p50: round(pct(viaClient, 50)), p99: round(pct(viaClient, 99)) },
    };
  } finally {
    direct.close();
    await client.close();
    await endpoint.close();
    api.dispose();
    await sessions.dispose();
    await removeInstance(engine, instance);
  }
}
