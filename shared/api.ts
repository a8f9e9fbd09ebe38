import { z } from 'zod';
import type { User } from './accounts';
import { polyhavenTypeOrAllSchema, polyhavenTypeSchema, resolutionSchema, type AssetAdded, type AssetProgress, type AssetSearch, type SketchfabSearch, type SourceStatus } from './assets';
import type { BlenderResult, ObjectInfo, SavedStates, SceneInfo, Screenshot } from './blender';
import type { CredentialStatus } from './credentials';
import type { EngineStatus } from './engine';
import type { ErrorData } from './errors';
import { MAX_PATH_CHARS, type FolderListing, type RenderResult, type TransferTicket } from './files';
import type { McpCall, McpTokenView, NewMcpToken } from './mcp';
import type { SignInEnd } from './sign-ins';
import { SCREEN_LIMITS, type AdminSessionRow, type SessionView, type StartProgress } from './sessions';
import { EVENT_NAMES, type Method } from './methods';
import type { Settings } from './settings';

export { METHOD_NAMES, METHOD_ROLES, type Method } from './methods';

/**
 * The one contract between the renderer and main: each method's input schema (checked in main on
 * every call) and its result type; who may call each is declared in `methods.ts`. Inputs are kept loose here (strings, bounded) and checked
 * precisely by the services, so each bad input gets its specific message.
 */
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const userId = z.string().regex(/^[a-f0-9]{10}$/, 'must be a user id');
const none = z.object({}).strict();

export const methods = {
  'auth.signUp': { input: z.object({ username: text(256), password: text(4096) }).strict() },
  'auth.signIn': { input: z.object({ username: text(256), password: text(4096) }).strict() },
  'auth.whoAmI': { input: none },
  'auth.signOut': { input: none },
  'account.changePassword': { input: z.object({ current: text(4096), next: text(4096), revokeTokens: z.boolean().default(false) }).strict() },
  'session.mine': { input: none },
  'session.start': { input: none },
  'session.stop': { input: none },
  'session.activity': { input: none },
  'session.versions': { input: none },
  'session.openVersion': { input: z.object({ name: z.string().regex(/^\d{8}T\d{6}\.\d{3}Z\.blend$/, 'must be the name of a saved version') }).strict() },
  'session.fitScreen': {
    input: z.object({ width: z.number().int('must be a whole number').min(SCREEN_LIMITS.minWidth, `must be at least ${SCREEN_LIMITS.minWidth}`).max(SCREEN_LIMITS.maxWidth, `must be at most ${SCREEN_LIMITS.maxWidth}`), height: z.number().int('must be a whole number').min(SCREEN_LIMITS.minHeight, `must be at least ${SCREEN_LIMITS.minHeight}`).max(SCREEN_LIMITS.maxHeight, `must be at most ${SCREEN_LIMITS.maxHeight}`) }).strict(),
  },
  /** Text the person's Blender put on the seat's clipboard, as its SHA-256 (hex): cleared from there when the sign-in ends. */
  'session.copiedFromBlender': { input: z.object({ digest: z.string().regex(/^[a-f0-9]{64}$/, 'must be a SHA-256 digest in hex') }).strict() },
  'blender.sceneInfo': { input: none },
  'blender.objectInfo': { input: z.object({ name: text(1024).min(1, 'must not be empty') }).strict() },
  'blender.run': { input: z.object({ code: text(1024 * 1024) }).strict() },
  'blender.screenshot': { input: z.object({ maxSize: z.number().int().min(16).max(4096).optional() }).strict() },
  'blender.render': { input: none },
  'assets.polyhavenStatus': { input: none },
  'assets.polyhavenCategories': { input: z.object({ assetType: polyhavenTypeOrAllSchema }).strict() },
  'assets.polyhavenSearch': {
    input: z.object({ assetType: polyhavenTypeOrAllSchema, categories: text(500).optional(), limit: z.number().int().min(1).max(200).default(20) }).strict(),
  },
  'assets.polyhavenThumbnail': { input: z.object({ assetId: text(128) }).strict() },
  'assets.sketchfabStatus': { input: none },
  'assets.sketchfabSearch': {
    input: z.object({ query: text(200), categories: text(500).optional(), count: z.number().int().min(1).max(24).default(20), downloadable: z.boolean().default(true) }).strict(),
  },
  'assets.sketchfabThumbnail': { input: z.object({ uid: text(64) }).strict() },
  'assets.sketchfabPreview': { input: z.object({ uid: text(64) }).strict() },
  'assets.sketchfabDownload': { input: z.object({ uid: text(64), targetSize: z.number().positive().max(10_000).default(1) }).strict() },
  'assets.polyhavenDownload': {
    input: z
      .object({
        assetId: text(128),
        assetType: polyhavenTypeSchema,
        resolution: resolutionSchema.default('1k'),
        fileFormat: text(8).optional(),
        /** A texture: also given to every selected object. */
        applyToSelected: z.boolean().default(false),
      })
      .strict(),
  },
  'assets.setTexture': { input: z.object({ objectName: text(1024), textureId: text(200) }).strict() },
  'assets.hyper3dStatus': { input: none },
  'assets.hyper3dGenerate': {
    input: z
      .object({
        prompt: text(2000).optional(),
        imagePaths: z.array(text(MAX_PATH_CHARS)).max(5).optional(),
        imageUrls: z.array(text(2048)).max(5).optional(),
        bbox: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
      })
      .strict(),
  },
  'assets.hyper3dPoll': { input: z.object({ subscriptionKey: text(64) }).strict() },
  'assets.hyper3dImport': { input: z.object({ name: text(200), taskUuid: text(64) }).strict() },
  'assets.hunyuanStatus': { input: none },
  'assets.hunyuanGenerate': { input: z.object({ prompt: text(200).optional(), image: text(2048).optional() }).strict() },
  'assets.hunyuanPoll': { input: z.object({ jobId: text(96) }).strict() },
  'assets.hunyuanImport': { input: z.object({ name: text(200), zipFileUrl: text(4096) }).strict() },
  'files.list': { input: z.object({ path: text(MAX_PATH_CHARS) }).strict() },
  'files.delete': { input: z.object({ path: text(MAX_PATH_CHARS) }).strict() },
  'files.rename': { input: z.object({ path: text(MAX_PATH_CHARS), to: text(1024) }).strict() },
  'files.upload': { input: z.object({ folder: text(MAX_PATH_CHARS), name: text(1024), bytes: z.number().int('must be a whole number').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER) }).strict() },
  'files.download': { input: z.object({ path: text(MAX_PATH_CHARS) }).strict() },
  'files.open': { input: z.object({ path: text(MAX_PATH_CHARS) }).strict() },
  'keys.list': { input: none },
  'keys.set': { input: z.object({ name: text(64), value: text(8192) }).strict() },
  'keys.clear': { input: z.object({ name: text(64) }).strict() },
  'mcpTokens.list': { input: none },
  'mcpTokens.create': { input: z.object({ name: text(256), password: text(4096) }).strict() },
  'mcpTokens.revoke': { input: z.object({ id: z.string().regex(/^[a-f0-9]{12}$/, 'must be a token id') }).strict() },
  'mcp.endpoint': { input: none },
  'admin.sessions': { input: none },
  'admin.stopSession': { input: z.object({ userId }).strict() },
  'admin.stopAll': { input: none },
  'admin.cleanupIdle': { input: none },
  'admin.logs': { input: z.object({ userId }).strict() },
  'admin.versions': { input: z.object({ userId }).strict() },
  'admin.users': { input: none },
  'admin.createUser': { input: z.object({ username: text(256), password: text(4096), role: z.enum(['admin', 'user']) }).strict() },
  'admin.setDisabled': { input: z.object({ userId, disabled: z.boolean() }).strict() },
  'admin.setRole': { input: z.object({ userId, role: z.enum(['admin', 'user']) }).strict() },
  'admin.resetPassword': { input: z.object({ userId, password: text(4096) }).strict() },
  'admin.deleteUser': { input: z.object({ userId, deleteData: z.boolean() }).strict() },
  'admin.settings': { input: none },
  'admin.updateSettings': { input: z.record(z.string().max(64), z.unknown()) },
  'admin.engine': { input: none },
  'admin.acceptHostKey': {
    input: z.object({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a fingerprint as ssh-keygen -lf prints it (SHA256:…)') }).strict(),
  },
} as const satisfies Record<Method, { input: z.ZodType }>;

export type Input<M extends Method> = z.input<(typeof methods)[M]['input']>;

export interface Results {
  'auth.signUp': User;
  'auth.signIn': { user: User; session: SessionView };
  'auth.whoAmI': User | null;
  'auth.signOut': null;
  /** How many of the person's AI-client tokens were revoked with it. */
  'account.changePassword': { tokensRevoked: number };
  'session.mine': SessionView | null;
  'session.start': SessionView;
  'session.stop': SessionView | null;
  'session.activity': null;
  'session.versions': SavedStates;
  'session.openVersion': SessionView;
  /** The size Blender's screen now has. */
  'session.fitScreen': { width: number; height: number };
  'session.copiedFromBlender': null;
  'blender.sceneInfo': SceneInfo;
  'blender.objectInfo': ObjectInfo;
  'blender.run': { output: string };
  'blender.screenshot': Screenshot;
  /** The rendered image, saved under ~/renders. */
  'blender.render': RenderResult;
  'assets.polyhavenStatus': SourceStatus;
  /** Category → how many assets are in it. */
  'assets.polyhavenCategories': Record<string, number>;
  'assets.polyhavenSearch': AssetSearch;
  /** The asset's picture as a data: URL (fetched and checked by main), or null when it has none. */
  'assets.polyhavenThumbnail': string | null;
  'assets.sketchfabStatus': SourceStatus;
  'assets.sketchfabSearch': SketchfabSearch;
  'assets.sketchfabThumbnail': string | null;
  'assets.sketchfabPreview': { image_base64: string; format: string; model_name: string; author: string };
  /** What the person's Blender made of the model: its objects and their size after scaling. */
  'assets.sketchfabDownload': BlenderResult<'download_sketchfab_model'>;
  /** What the person's Blender made of it, and whether it came from the lab's cache. */
  'assets.polyhavenDownload': AssetAdded;
  'assets.setTexture': BlenderResult<'set_texture'>;
  'assets.hyper3dStatus': SourceStatus;
  /** The task and the key its jobs are polled with. */
  'assets.hyper3dGenerate': { task_uuid: string; subscription_key: string };
  /** Each job's status: the task is done when every one is "Done". */
  'assets.hyper3dPoll': { status_list: string[] };
  'assets.hyper3dImport': BlenderResult<'import_generated_asset'>;
  'assets.hunyuanStatus': SourceStatus;
  'assets.hunyuanGenerate': { job_id: string };
  /** WAIT, RUN, FAIL or DONE; once DONE, where its results are. */
  'assets.hunyuanPoll': { status: string; error?: string; ResultFile3Ds: { Type: string; Url: string }[] };
  'assets.hunyuanImport': BlenderResult<'import_generated_asset_hunyuan'>;
  'files.list': FolderListing;
  'files.delete': null;
  'files.rename': null;
  /** Where to PUT the bytes (once, soon). */
  'files.upload': TransferTicket;
  /** Where to GET the bytes (once, soon); a folder comes as a .tar. */
  'files.download': TransferTicket;
  /** Blender restarted on that file, the open scene saved first. */
  'files.open': SessionView;
  'keys.list': CredentialStatus[];
  'keys.set': null;
  'keys.clear': null;
  /** A person's own tokens; an administrator's list holds everyone's. */
  'mcpTokens.list': McpTokenView[];
  'mcpTokens.create': NewMcpToken;
  'mcpTokens.revoke': null;
  /** The AI clients' endpoint, or null when it could not be opened. */
  'mcp.endpoint': string | null;
  'admin.sessions': AdminSessionRow[];
  'admin.stopSession': SessionView | null;
  'admin.stopAll': null;
  'admin.cleanupIdle': { stopped: number };
  'admin.logs': string;
  'admin.versions': SavedStates;
  'admin.users': User[];
  'admin.createUser': User;
  'admin.setDisabled': User;
  'admin.setRole': User;
  'admin.resetPassword': null;
  'admin.deleteUser': null;
  'admin.settings': Settings;
  /** Saved; when the engine changed, the Blenders on the previous one were saved and stopped first. */
  'admin.updateSettings': Settings;
  'admin.engine': EngineStatus;
  'admin.acceptHostKey': EngineStatus;
}

export type Result<M extends Method> = Results[M];

/** Events from main: a user hears about their own session; an administrator about all. */
export interface Events {
  'session.changed': SessionView;
  'session.progress': StartProgress;
  /** This window's sign-in ends at `at` unless the person shows they are still there. */
  'signIn.expiring': { at: string };
  /** This window's sign-in has ended; the renderer forgets everything of that person. */
  'signIn.ended': SignInEnd;
  /** One of the person's AI clients called a tool. */
  'mcp.call': McpCall;
  /** A download this window asked for has got this far. */
  'assets.progress': AssetProgress;
}

export type EventName = (typeof EVENT_NAMES)[number];

/** What every call returns across the boundary: errors as plain data, never thrown objects. */
export type Reply<M extends Method> = { ok: true; value: Result<M> } | { ok: false; error: ErrorData };

/** One named function per method: what the renderer sees, whatever carries it (Electron IPC or the headless WebSocket). */
export type PanelApi = { [M in Method]: (input: Input<M>) => Promise<Reply<M>> };

export interface PanelBridge {
  api: PanelApi;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

