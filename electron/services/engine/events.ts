import type { ContainerEvent, EventOps } from './container-engine';
import { labelFilter, type DockerCalls } from './docker-calls';

interface RawEvent {
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** The engine's stream of container events, as lines of JSON. */
export class DockerEvents implements EventOps {
  constructor(private readonly api: DockerCalls) {}

  /**
   * Follows container events for containers with `labels`, until `signal` aborts. The stream ends
   * when the engine goes away; `onEnd` says so, and the caller reconnects and reconciles
   * (Docker keeps only its last 1000 events, so replay is not to be relied on).
   */
  async watch(labels: Record<string, string>, onEvent: (event: ContainerEvent) => void, onEnd: (error: Error | null) => void, signal: AbortSignal): Promise<void> {
    const filters = JSON.stringify({ type: ['container'], label: labelFilter(labels) });
    const stream = (await this.api.open('follow Docker events', () => this.api.docker.getEvents({ filters, abortSignal: signal } as never) as unknown as Promise<unknown>)) as unknown as NodeJS.ReadableStream;
    let buffered = '';
    let ended = false;
    const end = (error: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(signal.aborted ? null : error);
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const event = eventFrom(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (event) onEvent(event);
      }
    });
    stream.on('end', () => end(null));
    stream.on('close', () => end(null));
    stream.on('error', (error: Error) => end(error));
  }
}

/** One line of the stream; null for a line that cannot be read (the next reconcile corrects any state it carried). */
function eventFrom(line: string): ContainerEvent | null {
  if (!line.trim()) return null;
  try {
    const raw = JSON.parse(line) as RawEvent;
    const id = raw.Actor?.ID ?? raw.id;
    return raw.Action && id ? { action: raw.Action, id, attributes: raw.Actor?.Attributes ?? {} } : null;
  } catch {
    return null;
  }
}
