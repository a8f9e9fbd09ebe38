import type Docker from 'dockerode';
import { openConnection, type EngineAccess } from '../../electron/services/engine/endpoint';

/**
 * A plain Docker client to the engine a test drives, to look at what it holds the way
 * `docker inspect` would, or to act on it from outside the panel (the panel's Engine does not
 * hand its client out).
 */
export function testDocker(endpoint = process.env.BLENDER_LAB_DOCKER_HOST, access: EngineAccess = {}): Docker {
  return openConnection(endpoint, access).docker;
}
