import { AppError } from '../../../shared/errors';

/** Runs at most `concurrency` jobs at once, first come first served; refuses jobs beyond `limit` waiting. */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly limit: number,
  ) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.limit) {
        throw new AppError('LOCKED_OUT', 'The panel is checking too many sign-ins right now. Try again in a few seconds.');
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next job
      else this.running--;
    }
  }
}
