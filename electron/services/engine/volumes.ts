import type { VolumeOps } from './container-engine';
import { labelFilter, type DockerCalls } from './docker-calls';

export class DockerVolumes implements VolumeOps {
  constructor(private readonly api: DockerCalls) {}

  async ensure(name: string, labels: Record<string, string>): Promise<void> {
    await this.api.call(`create volume ${name}`, (abortSignal) => this.api.docker.createVolume({ Name: name, Labels: labels, abortSignal }));
  }

  async exists(name: string): Promise<boolean> {
    return this.api.call(`inspect volume ${name}`, async (abortSignal) => (await this.api.docker.getVolume(name).inspect({ abortSignal }), true), { 404: () => false });
  }

  async remove(name: string): Promise<void> {
    await this.api.call(`remove volume ${name}`, (abortSignal) => this.api.docker.getVolume(name).remove({ abortSignal }), { 404: () => undefined });
  }

  async list(labels: Record<string, string>): Promise<string[]> {
    return this.api.call('list volumes', async (abortSignal) => {
      const { Volumes } = await this.api.docker.listVolumes({ filters: { label: labelFilter(labels) }, abortSignal });
      return (Volumes ?? []).map((v) => v.Name);
    });
  }
}
