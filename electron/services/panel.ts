import type { User } from '../../shared/accounts';
import type { BlenderCommand, BlenderParams, BlenderResult } from '../../shared/blender';
import type { CredentialStatus } from '../../shared/credentials';
import { AppError } from '../../shared/errors';
import type { AdminSessionRow, SessionView, StartProgress } from '../../shared/sessions';
import type { Settings } from '../../shared/settings';
import type { AccountService } from './accounts';
import type { CredentialService } from './credentials';
import type { SessionManager } from './sessions';
import type { SettingsService } from './settings';

export interface PanelDeps {
  accounts: AccountService;
  sessions: SessionManager;
  settings: SettingsService;
  credentials: CredentialService;
}

/** Commands a user may send to their own Blender from the panel. */
const USER_COMMANDS = new Set<BlenderCommand>(['ping', 'get_scene_info', 'get_object_info', 'execute_code', 'get_viewport_screenshot']);

/**
 * Everything the panel's screens can ask for, with authorization on every call: the caller is
 * whoever holds the sign-in token; users act on their own session only; the rest needs admin.
 */
export class Panel {
  constructor(private readonly deps: PanelDeps) {
    deps.accounts.onRevoked((user, why) => {
      void deps.sessions.stop(user.id, why === 'disabled' ? 'account-disabled' : 'account-deleted').catch(() => {});
    });
  }

  // --- anyone ---

  signUp(username: unknown, password: unknown): Promise<User> {
    return this.deps.accounts.createAccount({ username, password });
  }

  /**
   * Signs in and starts (or reconnects to) the user's Blender. A start that fails leaves the
   * person signed in with a `failed` session that says why, so they can read it and retry.
   */
  async signIn(username: unknown, password: unknown, onProgress?: (p: StartProgress) => void): Promise<{ token: string; user: User; session: SessionView }> {
    const { token, user } = await this.deps.accounts.signIn(username, password);
    try {
      return { token, user, session: await this.deps.sessions.start(user, onProgress) };
    } catch (error) {
      const session = this.deps.sessions.get(user.id);
      if (!session) throw error;
      return { token, user, session };
    }
  }

  // --- signed in ---

  async signOut(token: string): Promise<void> {
    const user = this.deps.accounts.authenticate(token);
    this.deps.accounts.signOut(token);
    await this.deps.sessions.stop(user.id, 'sign-out');
  }

  whoAmI(token: string): User {
    return this.deps.accounts.authenticate(token);
  }

  async startMySession(token: string, onProgress?: (p: StartProgress) => void): Promise<SessionView> {
    return this.deps.sessions.start(this.deps.accounts.authenticate(token), onProgress);
  }

  mySession(token: string): SessionView | null {
    return this.deps.sessions.get(this.deps.accounts.authenticate(token).id);
  }

  myBlenderAddress(token: string): string | null {
    return this.deps.sessions.uiAddress(this.deps.accounts.authenticate(token).id);
  }

  async command<C extends BlenderCommand>(token: string, command: C, params: BlenderParams<C>): Promise<BlenderResult<C>> {
    const user = this.deps.accounts.authenticate(token);
    if (!USER_COMMANDS.has(command)) throw new AppError('INVALID_INPUT', `Unknown command ${String(command)}`);
    return this.deps.sessions.command(user.id, command, params);
  }

  savedStates(token: string) {
    return this.deps.sessions.savedStates(this.deps.accounts.authenticate(token).id);
  }

  openVersion(token: string, name: string, onProgress?: (p: StartProgress) => void): Promise<SessionView> {
    return this.deps.sessions.openVersion(this.deps.accounts.authenticate(token), name, onProgress);
  }

  userSavedStates(token: string, userId: string) {
    this.admin(token);
    return this.deps.sessions.savedStates(userId);
  }

  reportActivity(token: string): void {
    this.deps.sessions.touch(this.deps.accounts.authenticate(token).id);
  }

  async changePassword(token: string, current: unknown, next: unknown): Promise<void> {
    return this.deps.accounts.changePassword(this.deps.accounts.authenticate(token), current, next);
  }

  async listMyKeys(token: string): Promise<CredentialStatus[]> {
    return this.deps.credentials.list(this.deps.accounts.authenticate(token).id);
  }

  async setMyKey(token: string, name: unknown, value: unknown): Promise<void> {
    return this.deps.credentials.set(this.deps.accounts.authenticate(token).id, name, value);
  }

  async clearMyKey(token: string, name: unknown): Promise<void> {
    return this.deps.credentials.clear(this.deps.accounts.authenticate(token).id, name);
  }

  /** A user may stop their own session; anyone else's needs admin. */
  async stopSession(token: string, userId: unknown): Promise<SessionView | null> {
    const caller = this.deps.accounts.authenticate(token);
    if (typeof userId !== 'string') throw new AppError('INVALID_INPUT', 'userId must be text');
    if (userId !== caller.id) this.requireAdmin(caller);
    return this.deps.sessions.stop(userId, userId === caller.id ? 'sign-out' : 'admin');
  }

  // --- admin ---

  async sessionsWithStats(token: string): Promise<AdminSessionRow[]> {
    this.admin(token);
    return this.deps.sessions.listWithStats();
  }

  async stopAllSessions(token: string): Promise<void> {
    this.admin(token);
    await this.deps.sessions.stopAll('admin');
  }

  async cleanupIdleSessions(token: string): Promise<string[]> {
    this.admin(token);
    return this.deps.sessions.cleanupIdle();
  }

  async sessionLogs(token: string, userId: unknown): Promise<string> {
    this.admin(token);
    if (typeof userId !== 'string') throw new AppError('INVALID_INPUT', 'userId must be text');
    return this.deps.sessions.logs(userId);
  }

  listUsers(token: string): User[] {
    this.admin(token);
    return this.deps.accounts.listUsers();
  }

  async createUser(token: string, username: unknown, password: unknown, role: unknown): Promise<User> {
    return this.deps.accounts.createAccount({ username, password, role }, this.admin(token));
  }

  setUserDisabled(token: string, userId: string, disabled: boolean): User {
    this.admin(token);
    return this.deps.accounts.setDisabled(userId, disabled);
  }

  setUserRole(token: string, userId: string, role: unknown): User {
    this.admin(token);
    return this.deps.accounts.setRole(userId, role);
  }

  async resetUserPassword(token: string, userId: string, password: unknown): Promise<void> {
    this.admin(token);
    return this.deps.accounts.resetPassword(userId, password);
  }

  async deleteUser(token: string, userId: string, options: { deleteData: boolean }): Promise<void> {
    this.admin(token);
    const user = this.deps.accounts.deleteUser(userId);
    if (options.deleteData) {
      await this.deps.sessions.deleteUserData(user.id, user.username);
      await this.deps.credentials.clearAll(user.id).catch(() => {});
    }
  }

  getSettings(token: string): Settings {
    this.admin(token);
    return this.deps.settings.get();
  }

  updateSettings(token: string, patch: unknown): Settings {
    this.admin(token);
    return this.deps.settings.update(patch);
  }

  private admin(token: string): User {
    return this.requireAdmin(this.deps.accounts.authenticate(token));
  }

  private requireAdmin(user: User): User {
    if (user.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can do that');
    return user;
  }
}
