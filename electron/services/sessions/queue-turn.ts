import type { StartProgress } from '../../../shared/sessions';
import type { StartQueue } from './start-queue';

export interface QueueTurn {
  /** Whether the boot slot has been given (the person may boot now). */
  admitted(): boolean;
  /** Waits until this person boots next, as soon as a boot under way ends (or now). */
  near(): Promise<void>;
  /** Waits for the boot slot; resolves with the function that ends the boot and hands it on. */
  wait(): Promise<() => void>;
  /** The start ended: leave the queue, or hand the slot back. */
  giveUp(): void;
}

/** A place in the start queue, taken now and told to the person only once they are waiting for it. */
export function queueTurn(starts: StartQueue, userId: string, onProgress: (p: StartProgress) => void): QueueTurn {
  let waiting = false;
  let place: number | null = null;
  let nearFront = (): void => {};
  const near = new Promise<void>((resolve) => { nearFront = resolve; });
  const tell = (ahead: number) =>
    onProgress({ step: 'queue', message: ahead === 0 ? 'You are next: waiting for another Blender to finish starting' : `${ahead} ${ahead === 1 ? 'person' : 'people'} ahead of you` });
  const ticket = starts.enter(userId, (ahead, next) => {
    place = ahead;
    if (next) nearFront();
    if (waiting) tell(ahead);
  });
  let admitted = false;
  ticket.then(() => { admitted = true; }, () => {}); // a start that ends before its turn gives its place up in giveUp
  const startWaiting = () => {
    if (waiting) return;
    waiting = true;
    if (!admitted && place !== null) tell(place);
  };
  return {
    admitted: () => admitted,
    near: async () => {
      startWaiting();
      await Promise.race([near, ticket]);
    },
    wait: async () => {
      startWaiting();
      return ticket;
    },
    giveUp: () => {
      starts.leave(userId);
      void ticket.then((endBoot) => endBoot(), () => {});
    },
  };
}
