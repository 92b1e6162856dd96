import { describe, expect, it } from 'vitest';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';

describe('Expectations', () => {
  it('is satisfied for an unknown key', () => {
    expect(new Expectations().satisfied('ns/rs', 0)).toBe(true);
  });

  it('waits until every create and delete was observed', () => {
    const e = new Expectations();
    e.expect('ns/rs', 2, ['u1'], 0);
    expect(e.satisfied('ns/rs', 1)).toBe(false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs', 1)).toBe(false);
    e.deletionObserved('ns/rs', 'other');
    expect(e.satisfied('ns/rs', 1)).toBe(false);
    e.deletionObserved('ns/rs', 'u1');
    expect(e.satisfied('ns/rs', 1)).toBe(true);
  });

  it('expires after the timeout, and forget clears a key', () => {
    const e = new Expectations();
    e.expect('ns/rs', 1, [], 0);
    expect(e.satisfied('ns/rs', EXPECTATIONS_TIMEOUT_MS)).toBe(false);
    expect(e.satisfied('ns/rs', EXPECTATIONS_TIMEOUT_MS + 1)).toBe(true);
    e.expect('ns/rs', 1, [], 0);
    e.forget('ns/rs');
    expect(e.satisfied('ns/rs', 1)).toBe(true);
  });

  it('keys are independent', () => {
    const e = new Expectations();
    e.expect('ns/a', 1, [], 0);
    expect(e.satisfied('ns/b', 1)).toBe(true);
    e.creationObserved('ns/b');
    expect(e.satisfied('ns/a', 1)).toBe(false);
  });
});
