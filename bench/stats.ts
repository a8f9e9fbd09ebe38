/** The small statistics every bench reports. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
export const round = (x: number) => Math.round(x * 100) / 100;

/** A running session's secret, where its container keeps it (the panel's address carries only the screen's token). */
export async function sessionSecret(engine: { containers: { exec(id: string, cmd: string[]): Promise<{ stdout: string }> } }, container: string): Promise<string> {
  return (await engine.containers.exec(container, ['cat', '/run/blender-lab/secret'])).stdout;
}
