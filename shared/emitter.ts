/** A small typed event source: `on` returns the function that unsubscribes. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  on(listener: (value: T) => void): () => void {
    // A wrapper of its own, so subscribing one function twice gives two independent subscriptions.
    const entry = (value: T) => listener(value);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}
