import { describe, expect, it } from 'vitest';
import { Emitter } from '../../shared/emitter';

describe('the typed emitter', () => {
  it('delivers to every listener, and unsubscribing stops exactly that one', () => {
    const emitter = new Emitter<number>();
    const heard: string[] = [];
    const offA = emitter.on((n) => heard.push(`a${n}`));
    emitter.on((n) => heard.push(`b${n}`));
    emitter.emit(1);
    offA();
    offA(); // a second call changes nothing
    emitter.emit(2);
    expect(heard).toEqual(['a1', 'b1', 'b2']);
  });

  it('keeps two subscriptions of one function apart', () => {
    const emitter = new Emitter<string>();
    const heard: string[] = [];
    const listener = (s: string) => heard.push(s);
    const first = emitter.on(listener);
    emitter.on(listener);
    emitter.emit('x');
    first();
    emitter.emit('y');
    expect(heard).toEqual(['x', 'x', 'y']);
  });

  it('lets a listener unsubscribe itself while an event is delivered', () => {
    const emitter = new Emitter<number>();
    const heard: number[] = [];
    const off = emitter.on((n) => { heard.push(n); off(); });
    emitter.on((n) => heard.push(n * 10));
    emitter.emit(1);
    emitter.emit(2);
    expect(heard).toEqual([1, 10, 20]);
  });
});

describe('a listener that throws', () => {
  it('is reported, and neither the other listeners nor whoever emitted are stopped by it', () => {
    const reported: unknown[] = [];
    const e = new Emitter<number>((error) => reported.push(error));
    const got: number[] = [];
    e.on(() => { throw new Error('the tray broke'); });
    e.on((n) => got.push(n));
    expect(() => e.emit(7)).not.toThrow();
    expect(got).toEqual([7]);
    expect(reported).toEqual([expect.objectContaining({ message: 'the tray broke' })]);
  });
});
