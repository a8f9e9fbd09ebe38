import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import Conf from 'conf';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { describeIssues } from '../../../shared/validation';

/** One JSON document, read and written whole. */
export interface DocumentStore<T> {
  read(): T;
  write(value: T): void;
}

export class MemoryStore<T> implements DocumentStore<T> {
  constructor(private value: T) {}
  read(): T {
    return structuredClone(this.value);
  }
  write(value: T): void {
    this.value = structuredClone(value);
  }
}

/**
 * A document in a JSON file under `dir` (electron-store's engine, `conf`: atomic writes and a
 * JSON schema check on every read and write). A file that no longer parses or fits the schema
 * is never wiped: it is copied beside itself (once for each damaged content, however often it
 * is read: a copy per read would fill the disk) and reported as STORE_CORRUPT. Where it lies is
 * written to the panel's log only: the error may reach someone not signed in.
 */
export class FileStore<S extends z.ZodType<object>> implements DocumentStore<z.output<S>> {
  private readonly conf: Conf<Record<string, unknown>>;
  /** The damaged content last copied aside, by digest. */
  private copiedAside: string | null = null;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly schema: S,
    private readonly now: () => Date = () => new Date(),
  ) {
    try {
      this.conf = new Conf({
        cwd: dir,
        configName: name,
        configFileMode: 0o600,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        ...confSchemaOf(schema),
      });
    } catch (error) {
      if (!isCorruption(error)) throw error;
      throw this.corrupt(`${dir}/${name}.json`, error);
    }
  }

  get path(): string {
    return this.conf.path;
  }

  read(): z.output<S> {
    let raw: unknown;
    try {
      raw = this.conf.store;
    } catch (error) {
      if (!isCorruption(error)) throw error;
      throw this.corrupt(this.conf.path, error);
    }
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) throw this.corrupt(this.conf.path, new Error(describeIssues(parsed.error)));
    return parsed.data;
  }

  write(value: z.output<S>): void {
    this.conf.store = value as Record<string, unknown>;
  }

  private corrupt(file: string, error: unknown): AppError {
    const reason = error instanceof SyntaxError ? 'it is not valid JSON' : String((error as Error)?.message ?? error);
    let kept = '';
    if (existsSync(file)) {
      const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
      kept = ' A copy of it was kept beside it.';
      if (digest !== this.copiedAside) {
        const backup = `${file}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
        copyFileSync(file, backup);
        this.copiedAside = digest;
        console.error(`[store] ${file} is damaged (${reason}); a copy was saved as ${backup}`);
      }
    }
    return new AppError('STORE_CORRUPT', `The panel's ${this.name} file is damaged (${reason}).${kept} An operator can repair or remove it and restart the panel; where it is, is in the panel's log.`, { cause: error });
  }
}

/** The zod schema as the JSON schema conf validates with (one source of truth for both). */
function confSchemaOf(schema: z.ZodType): { schema: never; rootSchema: never } {
  // conf takes the top-level properties apart from the rest of the root schema.
  const { $schema: _dialect, properties, ...root } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return { schema: properties as never, rootSchema: root as never };
}

function isCorruption(error: unknown): boolean {
  return error instanceof SyntaxError || /Config schema violation/.test(String((error as Error)?.message));
}
