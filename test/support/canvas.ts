/**
 * Run in the page (via locator.evaluate): how many distinct colours a sample of the canvas holds.
 * A drawn Blender window has many; a blank or not-yet-drawn canvas has one or two.
 */
export function distinctColours(canvas: HTMLCanvasElement): number {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return seen.size;
}
