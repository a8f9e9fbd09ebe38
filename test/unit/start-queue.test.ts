import { describe, expect, it } from 'vitest';
import { StartQueue } from '../../electron/services/sessions/start-queue';

describe('the start queue', () => {
  it('lets `limit` boot at once and the rest in order of arrival, telling each their place', async () => {
    const queue = new StartQueue(() => 2);
    const places: Record<string, number[]> = { c: [], d: [], e: [] };
    const order: string[] = [];
    const enter = (id: string) => queue.enter(id, (ahead) => places[id]?.push(ahead)).then((done) => (order.push(id), done));
    const [a, b] = await Promise.all([enter('a'), enter('b')]);
    const c = enter('c');
    const d = enter('d');
    const e = enter('e');
    expect(places).toEqual({ c: [0, 0, 0], d: [1, 1], e: [2] });
    a();
    await c;
    expect(places.d!.at(-1)).toBe(0);
    expect(places.e!.at(-1)).toBe(1);
    b();
    (await d)();
    (await e)();
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('tells those waiting whether they boot as soon as one of the boots under way ends', async () => {
    const queue = new StartQueue(() => 2);
    const next: Record<string, boolean[]> = { c: [], d: [], e: [] };
    const enter = (id: string) => queue.enter(id, (_ahead, isNext) => next[id]?.push(isNext));
    const [a] = await Promise.all([enter('a'), enter('b')]);
    void enter('c');
    void enter('d');
    const e = enter('e');
    expect(next).toEqual({ c: [true, true, true], d: [true, true], e: [false] });
    a(); // c boots: e is now among the next two
    expect(next.e!.at(-1)).toBe(true);
    expect(queue.leave('e')).toBe(true);
    await expect(e).rejects.toMatchObject({ code: 'START_CANCELLED' });
  });

  it('lets a waiting person leave at once, and moves those behind them up', async () => {
    const queue = new StartQueue(() => 1);
    const first = await queue.enter('a', () => {});
    const places: number[] = [];
    const leaving = queue.enter('b', () => {});
    const behind = queue.enter('c', (ahead) => places.push(ahead));
    expect(queue.leave('b')).toBe(true);
    await expect(leaving).rejects.toMatchObject({ code: 'START_CANCELLED', message: 'Left the queue before Blender started' });
    expect(places).toEqual([1, 0]);
    first();
    (await behind)();
    expect(queue.leave('nobody')).toBe(false);
  });

  it('gives each slot back only once', async () => {
    const queue = new StartQueue(() => 1);
    const done = await queue.enter('a', () => {});
    done();
    done();
    const [x] = await Promise.all([queue.enter('x', () => {})]);
    let yIn = false;
    const y = queue.enter('y', () => {}).then((d) => { yIn = true; return d; });
    await Promise.resolve();
    expect(yIn).toBe(false); // x still holds the only slot, whatever a's double release did
    x();
    (await y)();
  });
});
