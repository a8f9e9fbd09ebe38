import type { ContainerOps } from '../engine/container-engine';

/** CPU weights (Docker's cpu-shares): booting, and once ready. */
const BOOT_CPU_SHARES = 262144;
const ORDINARY_CPU_SHARES = 1024;
/**
 * The longest a Blender boots with the boost, whatever it does: a boot here takes 2–5 s; a
 * person's own startup script that delays readiness must not keep every CPU for itself.
 */
export const BOOT_BOOST_MS = 20_000;

export interface BootBoostDeps {
  containers: Pick<ContainerOps, 'setCpu'>;
  /** The configured CPUs of one Blender. */
  cpus: () => number;
  /** How many CPUs the engine's host has. */
  engineCpus: () => number;
  /** How long a boot may keep the boost at most. */
  boostMs: number;
  log: (message: string) => void;
}

/**
 * A booting Blender may use every CPU and comes first when they are all busy: the ones already
 * up finish drawing their first screens in the gaps, and the queue moves at the speed of a boot.
 * The boost ends when it is ready, or after `boostMs` whatever happens.
 */
export class BootBoost {
  /** Containers booting with the boost, and when it ends by itself. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: BootBoostDeps) {}

  async boost(containerId: string): Promise<void> {
    this.forget(containerId);
    const { containers, cpus, engineCpus, boostMs, log } = this.deps;
    await containers.setCpu(containerId, { shares: BOOT_CPU_SHARES, nanoCpus: Math.max(engineCpus(), cpus()) * 1e9 });
    const timer = setTimeout(() => {
      log(`a Blender still booting after ${Math.round(boostMs / 1000)} s goes back to its ordinary CPU share`);
      void this.end(containerId).catch((e) => log(`ending the boot boost failed: ${(e as Error).message}`));
    }, boostMs);
    timer.unref();
    this.timers.set(containerId, timer);
  }

  /** Held to its configured share (a boot ended, or a container taken over that may have been booting). */
  async end(containerId: string): Promise<void> {
    this.forget(containerId);
    await this.deps.containers.setCpu(containerId, { shares: ORDINARY_CPU_SHARES, nanoCpus: Math.round(this.deps.cpus() * 1e9) });
  }

  /** No timer for it any more (the container is gone or stopped). */
  forget(containerId: string): void {
    clearTimeout(this.timers.get(containerId));
    this.timers.delete(containerId);
  }

  forgetAll(): void {
    for (const id of [...this.timers.keys()]) this.forget(id);
  }
}
