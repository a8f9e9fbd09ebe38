import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { NetworkOps } from './container-engine';
import { labelFilter, type DockerCalls } from './docker-calls';
import { overlaps, smallSubnets } from './subnets';

export class DockerNetworks implements NetworkOps {
  constructor(private readonly api: DockerCalls) {}

  /**
   * Makes `name`, one person's own bridge network (reachable outward, not from other networks),
   * unless it exists, on the first /29 of `pool` no network of the engine uses. Docker's default
   * pools hold about 30 networks in all; a lab has more people.
   */
  async ensure(name: string, labels: Record<string, string>, pool: string): Promise<void> {
    // 409: made meanwhile by another start.
    await this.api.call(`create network ${name}`, (abortSignal) => this.make(name, labels, pool, abortSignal), { 409: () => undefined });
  }

  async remove(name: string): Promise<void> {
    await this.api.call(`remove network ${name}`, (abortSignal) => this.api.docker.getNetwork(name).remove({ abortSignal }), { 404: () => undefined });
  }

  async list(labels: Record<string, string>): Promise<string[]> {
    return this.api.call('list networks', async (abortSignal) => (await this.api.docker.listNetworks({ filters: { label: labelFilter(labels) }, abortSignal })).map((n) => n.Name));
  }

  private async make(name: string, labels: Record<string, string>, pool: string, abortSignal: AbortSignal): Promise<void> {
    const { docker } = this.api;
    const existing = await docker.listNetworks({ abortSignal });
    if (existing.some((n) => n.Name === name)) return;
    const taken = existing.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
    for (const subnet of smallSubnets(pool)) {
      if (taken.some((t) => overlaps(t, subnet))) continue;
      try {
        await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] }, abortSignal } as Docker.NetworkCreateOptions);
        return;
      } catch (error) {
        // Taken meanwhile by another panel sharing the engine: the next one.
        if (!/overlap/i.test(String((error as Error).message))) throw error;
      }
    }
    throw new AppError('CONFLICT', `Every /29 of the session network pool ${pool} is in use: make networkPool larger`);
  }
}
