/**
 * A small typed event source: `on` returns the function that unsubscribes. Listeners never
 * break their emitter: one that throws is reported, and the others, and
 * whoever emitted, carry on (a throwing tray menu must not cut a start short halfway).
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly report: (error: unknown) => void = (error) => console.error('[emitter] a listener failed:', error)) {}

  on(listener: (value: T) => void): () => void {
    // A wrapper of its own, so subscribing one function twice gives two independent subscriptions.
    const entry = (value: T) => listener(value);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.report(error);
      }
    }
  }
}
