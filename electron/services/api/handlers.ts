import type { z } from 'zod';
import type { User } from '../../../shared/accounts';
import type { methods, Method, Results } from '../../../shared/api';
import { POLYHAVEN_FORMATS, type AssetProgress } from '../../../shared/assets';
import { AppError } from '../../../shared/errors';
import type { METHOD_ROLES } from '../../../shared/methods';
import type { SessionView, StartProgress } from '../../../shared/sessions';
import type { AccountService } from '../accounts/accounts';
import type { PolyHaven } from '../assets/polyhaven';
import type { PolyHavenDownloads } from '../assets/polyhaven-downloads';
import type { Hunyuan } from '../assets/hunyuan';
import type { HunyuanJobs } from '../assets/hunyuan-jobs';
import type { Rodin } from '../assets/rodin';
import type { RodinJobs } from '../assets/rodin-jobs';
import type { Sketchfab } from '../assets/sketchfab';
import type { SketchfabDownloads } from '../assets/sketchfab-downloads';
import type { ClipboardGuard } from './clipboard-guard';
import type { CredentialService } from '../secrets/credentials';
import type { EngineControl } from '../sessions/engine-control';
import type { FileService } from '../files/files';
import type { McpTokenService } from '../accounts/mcp-tokens';
import type { SessionManager } from '../sessions/sessions';
import type { SettingsService } from '../settings/settings';

export interface ServiceDeps {
  accounts: AccountService;
  sessions: SessionManager;
  settings: SettingsService;
  credentials: CredentialService;
  files: FileService;
  mcpTokens: McpTokenService;
  engine: EngineControl;
  polyhaven: PolyHaven;
  polyhavenDownloads: PolyHavenDownloads;
  sketchfab: Sketchfab;
  sketchfabDownloads: SketchfabDownloads;
  rodin: Rodin;
  rodinJobs: RodinJobs;
  hunyuan: Hunyuan;
  hunyuanJobs: HunyuanJobs;
  /** The AI clients' endpoint, once it listens. */
  mcpUrl: () => string | null;
  /** Clears the seat's clipboard of a person's Blender text when their sign-in ends; none in headless mode. */
  clipboard?: ClipboardGuard;
}

/** Matches the add-on's own limit on one command. */
const RENDER_TIMEOUT_MS = 600_000;

/** A method's input as its schema leaves it: already checked. */
export type Validated<M extends Method> = z.output<(typeof methods)[M]['input']>;

/** Who is calling, resolved once per call from the method's declared role: nobody yet, or a signed-in person. */
export type CallerOf<M extends Method> = (typeof METHOD_ROLES)[M] extends 'anyone' ? null : User;

export interface CallContext<M extends Method> {
  caller: CallerOf<M>;
  /** The sign-in this window or tab holds; only the auth methods change it. */
  signIn: { token: string | null };
  progress: (p: StartProgress) => void;
  /** How far a download asked for from this window has got. */
  assetProgress: (p: AssetProgress) => void;
}

/** One handler per method, typed from the contract: input from its schema, result from `Results`. */
export type Handlers = { [M in Method]: (input: Validated<M>, context: CallContext<M>) => Promise<Results[M]> | Results[M] };

/**
 * What every method does. Rights are not checked here: the caller arrives already resolved for
 * the method's declared role, so a handler only ever acts for that caller.
 */
export function createHandlers({ accounts, sessions, settings, credentials, files, mcpTokens, engine, polyhaven, polyhavenDownloads, sketchfab, sketchfabDownloads, rodin, rodinJobs, hunyuan, hunyuanJobs, mcpUrl, clipboard }: ServiceDeps): Handlers {
  /** A session as its owner sees it: with the address of their Blender, secret included. */
  const own = (view: SessionView): SessionView => ({ ...view, blenderAddress: sessions.uiAddress(view.userId) });
  /** A start made from a window ends once its person is signed in nowhere; AI clients' calls hold no sign-in. */
  const endsWith = (signIn: { token: string | null }, caller: User) => (signIn.token ? accounts.signIns.untilGone(caller.id) : undefined);

  return {
    'auth.signUp': ({ username, password }) => accounts.createAccount({ username, password }),
    'auth.signIn': async ({ username, password }, { signIn, progress }) => {
      if (signIn.token) await signOut(signIn.token);
      const { token, user } = await accounts.signIn(username, password);
      signIn.token = token;
      const live = () => signIn.token === token && accounts.signIns.isLive(token, user.id);
      let session: SessionView | null;
      let failure: unknown = null;
      try {
        session = await sessions.start(user, (p) => live() && progress(p), { signal: accounts.signIns.untilGone(user.id) });
      } catch (error) {
        // A start that fails leaves the person signed in with a failed session that says why.
        failure = error;
        session = sessions.get(user.id);
      }
      // The sign-in ended while Blender started (screen locked, window closed, password reset):
      // the reply signs nobody in and shows no Blender.
      if (!live()) throw new AppError('NOT_SIGNED_IN', 'Your sign-in ended before your Blender was ready. Sign in again.');
      if (!session) throw failure;
      return { user, session: own(session) };
    },
    'auth.whoAmI': (_input, { signIn }) => {
      if (!signIn.token) return null;
      try {
        return accounts.authenticate(signIn.token);
      } catch {
        signIn.token = null;
        return null;
      }
    },
    'auth.signOut': async (_input, { signIn }) => {
      const token = signIn.token;
      signIn.token = null;
      if (token) await signOut(token);
      return null;
    },
    'account.changePassword': async ({ current, next, revokeTokens }, { caller, signIn }) => {
      await accounts.changePassword(caller, current, next, signIn.token);
      return { tokensRevoked: revokeTokens ? mcpTokens.revokeAllOf(caller.id) : 0 };
    },

    'session.mine': (_input, { caller }) => {
      const view = sessions.get(caller.id);
      return view ? own(view) : null;
    },
    'session.start': async (_input, { caller, progress, signIn }) => own(await sessions.start(caller, progress, { signal: endsWith(signIn, caller) })),
    'session.stop': async (_input, { caller }) => {
      const view = await sessions.stop(caller.id, 'sign-out');
      return view ? own(view) : null;
    },
    'session.activity': (_input, { caller, signIn }) => {
      if (signIn.token) accounts.signIns.touch(signIn.token);
      sessions.touch(caller.id);
      return null;
    },
    'session.versions': (_input, { caller }) => sessions.savedStates(caller.id),
    'session.openVersion': async ({ name }, { caller, progress, signIn }) => own(await sessions.openVersion(caller, name, progress, endsWith(signIn, caller))),

    'session.fitScreen': ({ width, height }, { caller }) => sessions.fitScreen(caller.id, width, height),
    'session.copiedFromBlender': ({ digest }, { signIn }) => {
      if (signIn.token) clipboard?.remember(signIn.token, digest);
      return null;
    },
    'blender.sceneInfo': (_input, { caller }) => sessions.command(caller.id, 'get_scene_info', {}),
    'blender.objectInfo': ({ name }, { caller }) => sessions.command(caller.id, 'get_object_info', { name }),
    'blender.run': async ({ code }, { caller }) => ({ output: (await sessions.command(caller.id, 'execute_code', { code })).result }),
    'blender.screenshot': ({ maxSize }, { caller }) =>
      sessions.command(caller.id, 'get_viewport_screenshot', maxSize === undefined ? {} : { max_size: maxSize }),
    // Looking for assets is using the panel: it counts as activity, as a command in Blender does.
    'assets.polyhavenStatus': (_input, { caller }) => (sessions.touch(caller.id), polyhaven.status()),
    'assets.polyhavenCategories': ({ assetType }, { caller }) => (sessions.touch(caller.id), polyhaven.categories(assetType)),
    'assets.polyhavenSearch': ({ assetType, categories, limit }, { caller }) => (sessions.touch(caller.id), polyhaven.search(assetType, categories, limit)),
    'assets.polyhavenThumbnail': ({ assetId }, { caller }) => (sessions.touch(caller.id), polyhaven.thumbnail(assetId)),
    'assets.polyhavenDownload': async ({ assetId, assetType, resolution, fileFormat, applyToSelected }, { caller, assetProgress }) => {
      const request = { asset_id: assetId, asset_type: assetType, resolution, file_format: fileFormat ?? POLYHAVEN_FORMATS[assetType][0]! };
      const { success: _success, ...added } = await polyhavenDownloads.add(caller.id, request, { applyToSelected }, (p) => assetProgress({ assetId, ...p }));
      return added;
    },
    'assets.sketchfabStatus': (_input, { caller }) => (sessions.touch(caller.id), sketchfab.status(caller.id)),
    'assets.sketchfabSearch': ({ query, categories, count, downloadable }, { caller }) => (sessions.touch(caller.id), sketchfab.search(caller.id, query, categories, count, downloadable)),
    'assets.sketchfabThumbnail': ({ uid }, { caller }) => (sessions.touch(caller.id), sketchfab.thumbnail(uid)),
    'assets.sketchfabPreview': ({ uid }, { caller }) => (sessions.touch(caller.id), sketchfab.preview(caller.id, uid)),
    'assets.sketchfabDownload': ({ uid, targetSize }, { caller, assetProgress }) => sketchfabDownloads.add(caller.id, uid, targetSize, (p) => assetProgress({ assetId: uid, ...p })),
    'assets.hyper3dStatus': (_input, { caller }) => rodin.status(caller.id),
    'assets.hyper3dGenerate': ({ prompt, imagePaths, imageUrls, bbox }, { caller }) => {
      sessions.touch(caller.id);
      if (prompt && (imagePaths?.length || imageUrls?.length)) throw new AppError('INVALID_INPUT', 'Give a description or pictures, not both');
      return prompt ? rodinJobs.fromText(caller.id, prompt, bbox) : rodinJobs.fromImages(caller.id, { paths: imagePaths, urls: imageUrls }, bbox);
    },
    'assets.hyper3dPoll': ({ subscriptionKey }, { caller }) => (sessions.touch(caller.id), rodinJobs.poll(caller.id, subscriptionKey)),
    'assets.hyper3dImport': ({ name, taskUuid }, { caller, assetProgress }) => rodinJobs.import(caller.id, name, taskUuid, (p) => assetProgress({ assetId: taskUuid, ...p })),
    'assets.hunyuanStatus': (_input, { caller }) => hunyuan.status(caller.id),
    'assets.hunyuanGenerate': ({ prompt, image }, { caller }) => (sessions.touch(caller.id), hunyuanJobs.generate(caller.id, prompt, image)),
    'assets.hunyuanPoll': ({ jobId }, { caller }) => (sessions.touch(caller.id), hunyuanJobs.poll(caller.id, jobId)),
    'assets.hunyuanImport': ({ name, zipFileUrl }, { caller, assetProgress }) => hunyuanJobs.import(caller.id, name, zipFileUrl, (p) => assetProgress({ assetId: 'hunyuan', ...p })),
    'assets.setTexture': ({ objectName, textureId }, { caller }) => sessions.command(caller.id, 'set_texture', { object_name: objectName, texture_id: textureId }),
    'blender.render': async (_input, { caller }) => {
      const scene = (await sessions.command(caller.id, 'get_scene_info', {})).name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'scene';
      const path = `renders/${scene}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.png`;
      const done = await sessions.command(caller.id, 'render', { path }, { timeoutMs: RENDER_TIMEOUT_MS });
      return { ...done, image_base64: await files.readBase64(caller.id, done.path) };
    },

    'files.list': ({ path }, { caller }) => files.list(caller.id, path),
    'files.delete': async ({ path }, { caller }) => (await files.delete(caller.id, path), null),
    'files.rename': async ({ path, to }, { caller }) => (await files.rename(caller.id, path, to), null),
    'files.upload': ({ folder, name, bytes }, { caller }) => files.prepareUpload(caller.id, folder, name, bytes),
    'files.download': ({ path }, { caller }) => files.prepareDownload(caller.id, path),
    'files.open': async ({ path }, { caller, progress, signIn }) =>
      own(await sessions.openFile(caller, await files.checkBlendFile(caller.id, path), progress, endsWith(signIn, caller))),

    'keys.list': (_input, { caller }) => credentials.list(caller.id),
    'keys.set': async ({ name, value }, { caller }) => (await credentials.set(caller.id, name, value), null),
    'keys.clear': async ({ name }, { caller }) => (await credentials.clear(caller.id, name), null),

    'mcpTokens.list': (_input, { caller }) => mcpTokens.list(caller.role === 'admin' ? null : caller.id),
    'mcpTokens.create': async ({ name, password }, { caller }) => {
      await accounts.confirmPassword(caller, password);
      return mcpTokens.create(caller.id, name);
    },
    'mcpTokens.revoke': ({ id }, { caller }) => (mcpTokens.revoke(id, caller.role === 'admin' ? null : caller.id), null),
    'mcp.endpoint': () => mcpUrl(),

    'admin.sessions': () => sessions.listWithStats(),
    'admin.stopSession': ({ userId }) => sessions.stop(userId, 'admin'),
    'admin.stopAll': async () => (await sessions.stopAll('admin'), null),
    'admin.cleanupIdle': async () => ({ stopped: (await sessions.cleanupIdle()).length }),
    'admin.logs': ({ userId }) => sessions.logs(userId),
    'admin.versions': ({ userId }) => sessions.savedStates(userId),
    'admin.users': () => accounts.listUsers(),
    'admin.createUser': ({ username, password, role }, { caller }) => accounts.createAccount({ username, password, role }, caller),
    'admin.setDisabled': ({ userId, disabled }) => accounts.setDisabled(userId, disabled),
    'admin.setRole': ({ userId, role }) => accounts.setRole(userId, role),
    'admin.resetPassword': async ({ userId, password }) => {
      await accounts.resetPassword(userId, password);
      // Whoever knew the old password may have made tokens with it.
      mcpTokens.revokeAllOf(userId);
      return null;
    },
    'admin.deleteUser': async ({ userId, deleteData }) => {
      const user = accounts.deleteUser(userId);
      // Their keys go with the account whether or not their files do: nobody can use them now.
      await credentials.clearAll(user.id).catch((error) => console.error(`[api] clearing ${user.username}'s integration keys failed: ${(error as Error).message}`));
      if (deleteData) await sessions.deleteUserData(user.id, user.username);
      return null;
    },
    'admin.settings': () => settings.get(),
    'admin.updateSettings': async (patch) => {
      const previous = settings.get();
      const next = settings.update(patch);
      await engine.settingsChanged(previous, next);
      return next;
    },
    'admin.engine': () => engine.status(),
    'admin.acceptHostKey': ({ fingerprint }) => engine.acceptHostKey(fingerprint),
  };

  async function signOut(token: string): Promise<void> {
    let user: User;
    try {
      user = accounts.authenticate(token);
    } catch {
      return; // already ended
    }
    accounts.signOut(token);
    await sessions.stop(user.id, 'sign-out');
  }
}

/** Refuses a caller the method's role does not admit. */
export function assertRole(role: (typeof METHOD_ROLES)[Method], caller: User): void {
  if (role === 'admin' && caller.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can do that');
}
