import { describe, expect, it } from 'vitest';
import { containerNameFor, slugOf, volumeNameFor } from '../../electron/services/blender/naming';

describe('Docker names for users', () => {
  it.each([
    ['Ada', 'ada'],
    ['Bob Smith', 'bob-smith'],
    ['Zoë Ōkubo', 'zoe-okubo'],
    ['../../etc; rm -rf /', 'etc-rm-rf'],
    ['李雷', 'user'],
    ['x'.repeat(40), 'x'.repeat(20)],
    ['--a--', 'a'],
  ])('slugs %j as %j', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });

  it('keeps two users whose slugs collide apart by their ids', () => {
    expect(slugOf('Ana!')).toBe(slugOf('ana?'));
    expect(containerNameFor('Ana!', 'a1b2c3d4e5')).not.toBe(containerNameFor('ana?', 'f6e5d4c3b2'));
    expect(volumeNameFor('Ana!', 'a1b2c3d4e5')).toBe('blender-data-ana-a1b2c3d4e5');
  });

  it('always yields a valid Docker name', () => {
    for (const name of ['Ada', '李雷', '  x  ', 'a.b_c', '🙂']) {
      expect(containerNameFor(name, '0123456789')).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
    }
  });
});
