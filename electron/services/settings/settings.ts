import { Emitter } from '../../../shared/emitter';
import { AppError } from '../../../shared/errors';
import { settingsSchema, type Settings } from '../../../shared/settings';
import { describeIssues } from '../../../shared/validation';
import type { DocumentStore } from '../storage/document-store';

/**
 * The operator's settings. Every change is checked as a whole and refused with the field named;
 * listeners hear about accepted changes.
 */
export class SettingsService {
  /** Accepted changes, with what they replaced. */
  readonly changed = new Emitter<{ next: Settings; previous: Settings }>();

  /** `usable` refuses, with its reason, settings that are well-formed but cannot work here (a plain-text engine). */
  constructor(
    private readonly store: DocumentStore<Settings>,
    private readonly usable: (next: Settings) => void = () => {},
  ) {}

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
    this.usable(parsed.data);
    this.store.write(parsed.data);
    this.changed.emit({ next: parsed.data, previous });
    return parsed.data;
  }
}
