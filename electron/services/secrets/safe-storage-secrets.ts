import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from './credentials';

/** What the store needs of Electron's `safeStorage` (injected: services never import Electron). */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which keyring protects the key ('basic_text' means none). */
  getSelectedStorageBackend?(): string;
}

/**
 * Integration keys for the desktop app: each value encrypted by Electron's safeStorage, whose key
 * lives in the OS keychain (the Secret Service on Linux), kept in one file of the data directory.
 * Refuses to work when the only backend is `basic_text` (a hard-coded key): never a plain file.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly file: string;

  constructor(
    private readonly encryptor: Encryptor,
    dataDir: string,
  ) {
    this.file = path.join(dataDir, 'secrets.json');
  }

  async get(account: string): Promise<string | null> {
    const sealed = this.read()[account];
    if (sealed === undefined) return null;
    this.assertSecure();
    try {
      return this.encryptor.decryptString(Buffer.from(sealed, 'base64'));
    } catch (error) {
      throw new AppError('KEYCHAIN_LOCKED', `An integration key could not be decrypted (${(error as Error).message}). Unlock the keychain, or set the key again.`);
    }
  }

  async set(account: string, value: string): Promise<void> {
    this.assertSecure();
    const all = this.read();
    all[account] = this.encryptor.encryptString(value).toString('base64');
    this.write(all);
  }

  async delete(account: string): Promise<boolean> {
    const all = this.read();
    if (!(account in all)) return false;
    delete all[account];
    this.write(all);
    return true;
  }

  async accounts(): Promise<string[]> {
    return Object.keys(this.read());
  }

  private assertSecure(): void {
    const backend = this.encryptor.getSelectedStorageBackend?.();
    if (!this.encryptor.isEncryptionAvailable() || backend === 'basic_text') {
      throw new AppError(
        'KEYCHAIN_UNAVAILABLE',
        'The system keychain (Secret Service, e.g. GNOME Keyring or KWallet) is not available, so integration keys cannot be stored safely. They are never written to a plain file.',
      );
    }
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new AppError('STORE_CORRUPT', `The integration key file ${this.file} cannot be read (${(error as Error).message}); fix or remove it and set the keys again.`);
    }
    if (!data || typeof data !== 'object' || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string')) {
      throw new AppError('STORE_CORRUPT', `The integration key file ${this.file} is damaged; fix or remove it and set the keys again.`);
    }
    return data as Record<string, string>;
  }

  private write(all: Record<string, string>): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(all), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
  }
}
