import { FileService } from '../../electron/services/files/files';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AccountService } from '../../electron/services/accounts/accounts';
import type { AccountsFile } from '../../electron/services/accounts/accounts-file';
import { ApiServer, type ApiConnection } from '../../electron/services/api/api-server';
import { McpEndpoint } from '../../electron/services/api/mcp-endpoint';
import { McpTokenService, type McpTokensFile } from '../../electron/services/accounts/mcp-tokens';
import { DEFAULT_BASE_IMAGE } from '../../electron/services/blender/blender-image';
import { CredentialService, KeytarSecretStore } from '../../electron/services/secrets/credentials';
import { MemoryStore } from '../../electron/services/storage/document-store';
import type { Engine } from '../../electron/services/engine/engine';
import { EngineControl } from '../../electron/services/sessions/engine-control';
import { instanceLabels, LABELS } from '../../electron/services/blender/naming';
import { PortAllocator } from '../../electron/services/sessions/ports';
import { SessionManager, type SessionDeps } from '../../electron/services/sessions/sessions';
import { SettingsService } from '../../electron/services/settings/settings';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings';
import { IMAGE } from './blender';
import { assetServices } from '../../electron/services/assets/asset-services';

export class TestClock {
  now = new Date();
  read = () => new Date(this.now);
  advance(ms: number) {
    this.now = new Date(this.now.getTime() + ms);
  }
}

/**
 * A panel's services on the real engine, isolated by their own instance label and port range,
 * with a cheap scrypt cost. `rebuild()` makes a fresh set on the same stores: a restarted panel.
 */
export class Harness {
  readonly instance = `test-${randomBytes(4).toString('hex')}`;
  readonly clock = new TestClock();
  readonly settingsStore: MemoryStore<Settings>;
  readonly accountsStore = new MemoryStore<AccountsFile>({ version: 1, users: [] });
  readonly settings: SettingsService;
  readonly accounts: AccountService;
  readonly credentials = new CredentialService(new KeytarSecretStore('Blender Lab (tests)'), this.instance);
  ports!: PortAllocator;
  sessions!: SessionManager;
  /** The panel's API over these services, as a window or tab reaches it. */
  api!: ApiServer;
  files!: FileService;
  engineControl!: EngineControl;
  /** How the panel connects when the settings name another engine: the same engine unless a test says otherwise. */
  connect: (settings: Settings) => Engine = () => this.engine;
  readonly mcpTokens = new McpTokenService(
    new MemoryStore<McpTokensFile>({ version: 1, tokens: [] }),
    (id) => this.accounts.getUser(id)?.username ?? null,
    () => this.settings.get().mcpTokenDays,
    this.clock.read,
  );
  mcp: McpEndpoint | null = null;

  constructor(private readonly engine: Engine, overrides: Partial<Settings> = {}, private readonly extra: Partial<SessionDeps> = {}) {
    // A port range of its own per harness keeps test files from meeting each other.
    const slot = Number.parseInt(this.instance.slice(5, 9), 16) % 200;
    this.settingsStore = new MemoryStore<Settings>({
      ...DEFAULT_SETTINGS,
      image: IMAGE,
      addonPortBase: 20000 + slot * 100,
      uiPortBase: 40000 + slot * 100,
      portRangeSize: 20,
      memoryMiB: 2048,
      startTimeoutSeconds: 180,
      ...overrides,
    });
    this.settings = new SettingsService(this.settingsStore);
    this.accounts = new AccountService({ store: this.accountsStore, signUpAllowed: () => this.settings.get().signUpAllowed, cost: { N: 1024, r: 8, p: 1 }, clock: this.clock.read });
    this.build();
  }

  private build() {
    this.ports = new PortAllocator(() => this.settings.get());
    this.sessions = new SessionManager({
      engine: this.engine,
      settings: () => this.settings.get(),
      ports: this.ports,
      credentials: this.credentials,
      instance: this.instance,
      imageSource: { contextDir: path.resolve('docker'), baseImage: process.env.BASE_IMAGE ?? DEFAULT_BASE_IMAGE },
      clock: this.clock.read,
      log: () => {},
      ...this.extra,
    });
    this.files = new FileService({ engine: this.extra.engine ?? this.engine, sessions: this.sessions, settings: () => this.settings.get() });
    this.engineControl = new EngineControl({ engine: this.engine, sessions: this.sessions, connect: (settings) => this.connect(settings), report: () => {} }, this.settings.get().dockerEndpoint);
    this.api = new ApiServer({ accounts: this.accounts, sessions: this.sessions, settings: this.settings, credentials: this.credentials, files: this.files, mcpTokens: this.mcpTokens, engine: this.engineControl, ...assetServices({ engine: this.engine, instance: this.instance, settings: () => this.settings.get(), blender: this.sessions, keysOf: (id) => this.credentials.environmentFor(id), home: this.files }), mcpUrl: () => this.mcp?.url() ?? null });
  }

  async init() {
    await this.sessions.init();
    return this;
  }

  /** Drops the services without stopping anything, as a crash would, and builds new ones. */
  async crashAndRestart(extra: Partial<SessionDeps> = {}) {
    this.api.dispose();
    await this.sessions.dispose();
    Object.assign(this.extra, extra);
    this.build();
    await this.sessions.init();
  }

  async user(username: string, password = 'password 123') {
    const user = await this.accounts.createAccount({ username, password });
    return { user, password };
  }

  labels(userId?: string) {
    return { ...instanceLabels(this.instance), ...(userId ? { [LABELS.userId]: userId } : {}) };
  }

  /** A window with a person signed in (their Blender started), and what it heard. */
  async window(username: string, password: string): Promise<{ connection: ApiConnection; events: [string, unknown][]; call: (method: string, input?: unknown) => Promise<any> }> {
    const events: [string, unknown][] = [];
    const connection = this.api.connect((event, payload) => events.push([event, payload]));
    const call = async (method: string, input: unknown = {}) => {
      const reply = await connection.call(method, input);
      if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
      return reply.value;
    };
    await call('auth.signIn', { username, password });
    return { connection, events, call };
  }

  /** The AI clients' endpoint over this panel, on a free port. */
  async openMcp(): Promise<string> {
    this.mcp = new McpEndpoint({ api: this.api, tokens: this.mcpTokens, userOf: (id) => this.accounts.getUser(id) });
    await this.mcp.listen(0);
    return this.mcp.url()!;
  }

  async cleanup() {
    await this.mcp?.close();
    this.api.dispose();
    await this.sessions.dispose();
    for (const c of await this.engine.containers.list(this.labels())) await this.engine.containers.remove(c.id);
    for (const v of await this.engine.volumes.list(this.labels())) await this.engine.volumes.remove(v);
    for (const n of await this.engine.networks.list(this.labels())) await this.engine.networks.remove(n);
  }
}
