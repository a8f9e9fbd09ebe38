import { AppError } from '../../../shared/errors';
import type { BuildProgress, ImageInfo, ImageOps } from './container-engine';
import type { DockerCalls } from './docker-calls';
import { toEngineError } from './engine-errors';

/** How much of a failed build's output its error carries. */
const BUILD_TAIL_LINES = 20;

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

export class DockerImages implements ImageOps {
  constructor(private readonly api: DockerCalls) {}

  async info(name: string): Promise<ImageInfo | null> {
    return this.api.call(`inspect image ${name}`, async (abortSignal) => {
      const info = await this.api.docker.getImage(name).inspect({ abortSignal } as object);
      return { id: info.Id, labels: info.Config?.Labels ?? {} };
    }, { 404: () => null });
  }

  /** Builds `contextDir` (all of `files`, relative paths) into `tag`, reporting each Dockerfile step. */
  async build(
    contextDir: string,
    files: string[],
    options: { tag: string; buildArgs?: Record<string, string>; labels?: Record<string, string>; onProgress?: (p: BuildProgress) => void },
  ): Promise<void> {
    const what = `build image ${options.tag}`;
    const { docker } = this.api;
    const stream = await this.api.open(what, () =>
      docker.buildImage(
        { context: contextDir, src: files },
        { t: options.tag, buildargs: options.buildArgs ?? {}, labels: options.labels ?? {}, networkmode: 'host', rm: true, forcerm: true },
      ),
    );
    const tail: string[] = [];
    let failure: string | null = null;
    const onEvent = (event: BuildEvent) => {
      if (event.error) failure = event.errorDetail?.message ?? event.error;
      const line = event.stream?.trim();
      if (!line) return;
      tail.push(line);
      if (tail.length > BUILD_TAIL_LINES) tail.shift();
      const step = /^Step (\d+)\/(\d+) : (.*)$/s.exec(line);
      if (step) options.onProgress?.({ step: Number(step[1]), totalSteps: Number(step[2]), message: step[3]!.slice(0, 200) });
    };
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(toEngineError(err, what)) : resolve()), onEvent);
    });
    if (failure) throw new AppError('IMAGE_BUILD_FAILED', `Building ${options.tag} failed: ${failure}\n${tail.join('\n')}`);
  }
}
