import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from '../engine/container-engine';
import type { PortPair } from './ports';

/** Why a container that should be running is not, in words; null while it runs. */
export async function whyDead(engine: Pick<ContainerEngine, 'containers'>, containerId: string): Promise<string | null> {
  const info = await engine.containers.inspect(containerId);
  if (!info) return 'the container was removed';
  if (info.running) return null;
  return info.oomKilled ? 'it ran out of memory' : `the container exited with code ${info.exitCode}`;
}

/**
 * A remote engine's container published its ports (`published`) on that machine's loopback:
 * they answer on the session's own local ports, through the engine's connection.
 */
export async function forwardSessionPorts(engine: Pick<ContainerEngine, 'forwardPort'>, ports: PortPair, published: PortPair | null): Promise<void> {
  if (!published) throw new AppError('INTERNAL', 'The container is running but published no ports');
  await engine.forwardPort(ports.addon, published.addon);
  await engine.forwardPort(ports.ui, published.ui);
}
