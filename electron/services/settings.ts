import { AppError } from '../../shared/errors';
import { settingsSchema, type Settings } from '../../shared/settings';
import { describeIssues } from '../../shared/validation';
import type { DocumentStore } from './document-store';

/**
 * The operator's settings. Every change is checked as a whole and refused with the field named;
 * listeners hear about accepted changes.
 */
export class SettingsService {
  private readonly listeners: ((next: Settings, previous: Settings) => void)[] = [];

  constructor(private readonly store: DocumentStore<Settings>) {}

  get(): Settings {
    return this.store.read();
  }

  update(patch: unknown): Settings {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new AppError('INVALID_INPUT', 'Settings must be an object of field: value');
    }
    const previous = this.get();
    const parsed = settingsSchema.safeParse({ ...previous, ...patch });
    if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(parsed.error));
    this.store.write(parsed.data);
    for (const listener of this.listeners) listener(parsed.data, previous);
    return parsed.data;
  }

  onChange(listener: (next: Settings, previous: Settings) => void): void {
    this.listeners.push(listener);
  }
}
