import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../../shared/settings';
import { AccountService } from '../accounts/accounts';
import { accountsFileSchema } from '../accounts/accounts-file';
import { ApiServer } from '../api/api-server';
import { assetServices } from '../assets/asset-services';
import { DEFAULT_BASE_IMAGE } from '../blender/blender-image';
import { ClipboardGuard, type SeatClipboard } from '../api/clipboard-guard';
import { CredentialService, KeytarSecretStore, type SecretStore } from '../secrets/credentials';
import { FileStore, MemoryStore, type DocumentStore } from '../storage/document-store';
import { Engine } from '../engine/engine';
import { checkEndpoint, sshAccessFor, tlsFilesFrom } from '../engine/endpoint';
import { EngineControl } from '../sessions/engine-control';
import { McpEndpoint } from '../api/mcp-endpoint';
import { FileService } from '../files/files';
import { McpTokenService, mcpTokensFileSchema } from '../accounts/mcp-tokens';
import { instanceFor } from '../blender/naming';
import { PortAllocator } from '../sessions/ports';
import { SessionManager } from '../sessions/sessions';
import { SettingsService } from '../settings/settings';

export interface AppOptions {
  /** Accounts and settings live here; keychain entries and containers are namespaced by it. */
  dataDir: string;
  /** The Blender image's build context (docker/), for building it when missing. */
  imageContextDir: string;
  /** Where integration keys live: the OS keychain through keytar unless given (the desktop app gives safeStorage's). */
  secretStore?: (dataDir: string) => SecretStore;
  /** The seat's clipboard (the desktop app's): a person's Blender text is cleared from it when their sign-in ends. */
  clipboard?: SeatClipboard;
  /** The AI clients' port instead of the setting's (0: any free port), as headless mode's --mcp-port. */
  mcpPort?: number;
  log?: (message: string) => void;
}

export interface App {
  api: ApiServer;
  mcp: McpEndpoint;
  sessions: SessionManager;
  settings: SettingsService;
  /** Serves the bytes of uploads and downloads behind the panel's own origin. */
  files: FileService;
  /** Problems worth telling an operator at start-up (a damaged settings file, no Docker yet). */
  problems: string[];
  dispose(): Promise<void>;
}

/** Builds every service the panel runs on; shared by the Electron main process and headless mode. */
export async function createApp(opts: AppOptions): Promise<App> {
  const log = opts.log ?? ((m: string) => console.error(`[blender-lab] ${m}`));
  const problems: string[] = [];
  const report = (message: string) => {
    if (!problems.includes(message)) problems.push(message);
    log(message);
  };
  const dataDir = openDataDir(opts.dataDir);
  const instance = instanceFor(dataDir);
  const settings = openSettings(dataDir, problems);
  const accounts = openAccounts(dataDir, settings);
  const { engine, connect } = openEngine(dataDir, settings, problems);
  const credentials = new CredentialService(opts.secretStore?.(dataDir) ?? new KeytarSecretStore('Blender Lab'), instance);
  const sessions = new SessionManager({
    engine,
    settings: () => settings.get(),
    ports: new PortAllocator(() => settings.get()),
    credentials,
    instance,
    imageSource: { contextDir: opts.imageContextDir, baseImage: process.env.BASE_IMAGE ?? DEFAULT_BASE_IMAGE },
    log,
  });
  const mcpTokens = new McpTokenService(new FileStore(dataDir, 'mcp-tokens', mcpTokensFileSchema), (id) => accounts.getUser(id)?.username ?? null, () => settings.get().mcpTokenDays);
  const files = new FileService({ engine, sessions, settings: () => settings.get() });
  const engineControl = new EngineControl({ engine, sessions, connect, report }, settings.get().dockerEndpoint);
  // The API names the endpoint's address, and the endpoint calls through the API: each refers to the other once both exist.
  const api: ApiServer = new ApiServer({
    accounts, sessions, settings, credentials, files, mcpTokens,
    engine: engineControl,
    ...assetServices({ engine, instance, settings: () => settings.get(), blender: sessions, keysOf: (id) => credentials.environmentFor(id), home: files }),
    mcpUrl: (): string | null => endpoint.url(),
    clipboard: new ClipboardGuard(opts.clipboard ?? null),
  });
  const endpoint = new McpEndpoint({ api, tokens: mcpTokens, userOf: (id) => accounts.getUser(id), log });
  await openMcpEndpoint(endpoint, settings, opts.mcpPort, report);
  await engineControl.start();

  return {
    api,
    mcp: endpoint,
    sessions,
    files,
    settings,
    problems,
    async dispose() {
      engineControl.dispose();
      api.dispose();
      await endpoint.close();
      await sessions.dispose();
      engine.close();
    },
  };
}

/** The data directory, made private to this user; its real path names the panel's instance. */
function openDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return realpathSync(dir);
}

function openSettings(dataDir: string, problems: string[]): SettingsService {
  let store: DocumentStore<Settings>;
  try {
    store = new FileStore(dataDir, 'settings', settingsSchema);
  } catch (error) {
    // Settings can fall back to defaults; the damaged file stays for the operator to repair.
    problems.push(`${(error as Error).message} Running with default settings until then.`);
    store = new MemoryStore<Settings>(DEFAULT_SETTINGS);
  }
  return new SettingsService(store, (next) => checkEndpoint(next.dockerEndpoint || undefined, tlsFilesFrom(next)));
}

function openAccounts(dataDir: string, settings: SettingsService): AccountService {
  // No fallback to an empty store: starting empty would let the next sign-up become administrator.
  return new AccountService({
    store: new FileStore(dataDir, 'accounts', accountsFileSchema),
    signUpAllowed: () => settings.get().signUpAllowed,
    signInLimits: () => ({ idleMinutes: settings.get().signOutIdleMinutes, maxHours: settings.get().signInMaxHours }),
  });
}

function openEngine(dataDir: string, settings: SettingsService, problems: string[]): { engine: Engine; connect: (s: Settings) => Engine } {
  const connect = (s: Settings) => Engine.connect(s.dockerEndpoint || undefined, { tls: tlsFilesFrom(s), ssh: sshAccessFor(s, dataDir), publishAddress: s.publishAddress });
  try {
    return { engine: connect(settings.get()), connect };
  } catch (error) {
    // A settings file from elsewhere may name an engine the panel refuses (plain-text tcp://):
    // the panel still opens, says why, and reaches no engine until an administrator fixes it.
    problems.push(`The Docker endpoint is refused: ${(error as Error).message}`);
    return { engine: Engine.connect(`unix://${path.join(dataDir, 'no-engine-until-the-endpoint-is-fixed.sock')}`), connect };
  }
}

/** Opens the AI clients' endpoint on `fixedPort`, else on the setting's port, reopened whenever that changes. */
async function openMcpEndpoint(endpoint: McpEndpoint, settings: SettingsService, fixedPort: number | undefined, report: (message: string) => void): Promise<void> {
  const open = async (port: number) => {
    await endpoint.close();
    try {
      await endpoint.listen(port);
    } catch (error) {
      // The panel runs on without it; the AI clients page says it is closed, and why is logged.
      report(`The AI clients' endpoint is not open: ${(error as Error).message}`);
    }
  };
  await open(fixedPort ?? settings.get().mcpPort);
  settings.changed.on(({ next, previous }) => {
    if (fixedPort === undefined && next.mcpPort !== previous.mcpPort) void open(next.mcpPort);
  });
}

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || path.join(process.env.HOME || '.', '.local', 'share');
  return path.join(base, 'blender-lab');
}
