import { credentialNameSchema, credentialValueSchema, KNOWN_CREDENTIALS, type CredentialStatus } from '../../../shared/credentials';
import { AppError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';

/** The OS keychain, behind an interface so keytar (archived upstream) can be swapped. */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  accounts(): Promise<string[]>;
}

/**
 * The OS keychain through keytar, for headless mode and the tests (plain Node). keytar is a native
 * module built for Node's ABI, which Electron refuses, so it is loaded on first use, never at start-up;
 * the desktop app uses Electron's safeStorage instead (see SafeStorageSecretStore).
 */
export class KeytarSecretStore implements SecretStore {
  private module: Promise<typeof import('keytar')> | null = null;

  constructor(private readonly service: string) {}

  get(account: string) {
    return keychain(async () => (await this.keytar()).getPassword(this.service, account));
  }
  set(account: string, value: string) {
    return keychain(async () => (await this.keytar()).setPassword(this.service, account, value));
  }
  delete(account: string) {
    return keychain(async () => (await this.keytar()).deletePassword(this.service, account));
  }
  async accounts() {
    return (await keychain(async () => (await this.keytar()).findCredentials(this.service))).map((c) => c.account);
  }

  private async keytar() {
    this.module ??= import('keytar').then((m) => (m as { default?: typeof import('keytar') }).default ?? m);
    return this.module;
  }
}

/** Says in plain words why the keychain cannot be used. Never falls back to a file. */
async function keychain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const detail = String((error as Error)?.message ?? error);
    if (/locked|prompt|dismissed/i.test(detail)) {
      throw new AppError('KEYCHAIN_LOCKED', `The system keychain is locked (${detail}). Unlock it (sign in to the desktop session) and try again.`, { cause: error });
    }
    throw new AppError(
      'KEYCHAIN_UNAVAILABLE',
      `The system keychain (Secret Service) is not available: ${detail}. Integration keys cannot be stored until it is; they are never written to a plain file.`,
      { cause: error },
    );
  }
}

/**
 * Per-user integration keys. The UI learns only which are set; values go to that user's
 * container and nowhere else. Keychain entries are namespaced so two panels with different
 * data directories never see each other's keys.
 */
export class CredentialService {
  constructor(
    private readonly store: SecretStore,
    private readonly namespace: string,
  ) {}

  async list(userId: string): Promise<CredentialStatus[]> {
    const set = new Set(await this.names(userId));
    const known: CredentialStatus[] = KNOWN_CREDENTIALS.map((k) => ({ name: k.name, label: k.label, set: set.has(k.name) }));
    const custom = [...set].filter((n) => !KNOWN_CREDENTIALS.some((k) => k.name === n)).sort().map((name) => ({ name, label: name, set: true }));
    return [...known, ...custom];
  }

  async set(userId: string, nameInput: unknown, valueInput: unknown): Promise<void> {
    const name = parseOrThrow(credentialNameSchema, nameInput);
    const value = parseOrThrow(credentialValueSchema, valueInput);
    await this.store.set(this.account(userId, name), value);
  }

  async clear(userId: string, nameInput: unknown): Promise<void> {
    const name = parseOrThrow(credentialNameSchema, nameInput);
    await this.store.delete(this.account(userId, name));
  }

  async clearAll(userId: string): Promise<void> {
    for (const name of await this.names(userId)) await this.store.delete(this.account(userId, name));
  }

  /** Name → value, for the user's own container only. */
  async environmentFor(userId: string): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of await this.names(userId)) {
      const value = await this.store.get(this.account(userId, name));
      if (value !== null) env[name] = value;
    }
    return env;
  }

  private async names(userId: string): Promise<string[]> {
    const prefix = `${this.namespace}/${userId}/`;
    return (await this.store.accounts()).filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
  }

  private account(userId: string, name: string): string {
    return `${this.namespace}/${userId}/${name}`;
  }
}
