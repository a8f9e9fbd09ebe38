import { AppError } from '../../../shared/errors';

interface Waiting {
  userId: string;
  admit: () => void;
  refuse: (error: AppError) => void;
  onPlace: (ahead: number, next: boolean) => void;
}

/**
 * At most `limit()` Blenders boot at once, first come first served (JupyterHub's
 * concurrent_spawn_limit): when everyone boots together on a few cores, nearly everyone waits
 * for nearly everyone. Those waiting hear their place whenever it changes, and can leave at once.
 */
export class StartQueue {
  private booting = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly limit: () => number) {}

  /**
   * Waits for a boot slot; resolves with the function that gives it back. `onPlace` hears how
   * many are ahead, and whether this person is among the next `limit()` to be let in: they get a
   * slot as soon as one of the boots under way ends.
   */
  enter(userId: string, onPlace: (ahead: number, next: boolean) => void): Promise<() => void> {
    if (this.waiting.length === 0 && this.booting < this.limit()) {
      this.booting++;
      return Promise.resolve(this.slot());
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ userId, admit: () => resolve(this.slot()), refuse: reject, onPlace });
      this.tellPlaces();
    });
  }

  /** Takes a person out of the queue (they signed out, or closed their window); true if they were in it. */
  leave(userId: string): boolean {
    const leaving = this.waiting.filter((w) => w.userId === userId);
    if (leaving.length === 0) return false;
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.userId !== userId));
    for (const w of leaving) w.refuse(new AppError('START_CANCELLED', 'Left the queue before Blender started'));
    this.tellPlaces();
    return true;
  }

  private slot(): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.booting--;
      while (this.waiting.length > 0 && this.booting < this.limit()) {
        this.booting++;
        this.waiting.shift()!.admit();
      }
      this.tellPlaces();
    };
  }

  private tellPlaces(): void {
    const limit = this.limit();
    this.waiting.forEach((w, ahead) => w.onPlace(ahead, ahead < limit));
  }
}
