/** IPv4 arithmetic for carving one small network per person out of a pool. */

const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

function range(cidr: string): [number, number] | null {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return null; // IPv6 and anything else never overlaps an IPv4 pool
  const size = 2 ** (32 - Number(match[2]));
  const start = Math.floor(toNumber(match[1]!) / size) * size;
  return [start, start + size - 1];
}

export function overlaps(a: string, b: string): boolean {
  const ra = range(a);
  const rb = range(b);
  return !!ra && !!rb && ra[0] <= rb[1] && rb[0] <= ra[1];
}

/** The /29 subnets of an IPv4 pool, in order. */
export function* smallSubnets(pool: string): Generator<string> {
  const bounds = range(pool);
  if (!bounds) return;
  for (let start = bounds[0]; start + 7 <= bounds[1]; start += 8) yield `${toIp(start)}/29`;
}
