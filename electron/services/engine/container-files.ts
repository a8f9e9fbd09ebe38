import { AppError } from '../../../shared/errors';
import type { ContainerFileOps, Owner } from './container-engine';
import { short, type DockerCalls } from './docker-calls';
import { toEngineError } from './engine-errors';
import { readFirstFile, tarOneFile, tarOneFileStream } from './tar';

/** Files in and out of a container (running or not) through Docker's archive API, streamed and capped. */
export class DockerContainerFiles implements ContainerFileOps {
  constructor(private readonly api: DockerCalls) {}

  /** Writes one small file, e.g. the per-start session file. */
  async put(id: string, dir: string, name: string, data: Buffer, owner: Owner): Promise<void> {
    await this.api.call(`write ${dir}/${name} into ${short(id)}`, (abortSignal) => this.api.docker.getContainer(id).putArchive(tarOneFile(name, data, { mode: 0o600, ...owner }) as never, { path: dir, abortSignal }));
  }

  /** Streams one file of `size` bytes in; nothing is held whole. */
  async putStream(id: string, dir: string, name: string, size: number, body: AsyncIterable<Uint8Array>, owner: Owner): Promise<void> {
    const archive = tarOneFileStream(name, size, body, { mode: 0o644, ...owner });
    let bodyError: unknown = null;
    archive.on('error', (error) => (bodyError = error));
    try {
      // No deadline: the bytes come at the uploader's pace.
      await this.api.docker.getContainer(id).putArchive(archive, { path: dir });
    } catch (error) {
      if (bodyError) throw bodyError;
      throw toEngineError(error, `write ${dir}/${name} into ${short(id)}`);
    }
    if (bodyError) throw bodyError;
  }

  /** A path as a tar stream (a file or a whole folder). */
  async readArchive(id: string, filePath: string): Promise<AsyncIterable<Buffer>> {
    // The deadline is for the engine to begin answering; the bytes then come at the reader's pace.
    return this.api.call(`read ${filePath} from ${short(id)}`, async () => (await this.api.docker.getContainer(id).getArchive({ path: filePath })) as AsyncIterable<Buffer>, {
      404: () => {
        throw new AppError('NOT_FOUND', `${filePath} is not there`);
      },
    });
  }

  /** One file, at most `maxBytes` of it, or null when it is not there. */
  async read(id: string, filePath: string, maxBytes: number): Promise<Buffer | null> {
    return this.api.call(`read ${filePath} from ${short(id)}`, async (abortSignal) => {
      const stream = await this.api.docker.getContainer(id).getArchive({ path: filePath, abortSignal } as { path: string });
      return readFirstFile(stream as AsyncIterable<Buffer>, maxBytes, filePath);
    }, { 404: () => null });
  }
}
