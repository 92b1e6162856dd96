import { describe, expect, it } from 'vitest';
import { Screen } from './screen.js';

function stream(isTTY: boolean): { write(t: string): void; isTTY: boolean; text: () => string } {
  let out = '';
  return { isTTY, write: (t: string) => { out += t; }, text: () => out };
}

describe('Screen', () => {
  it('off a terminal: plain lines, no spinner and no control characters', () => {
    const s = stream(false);
    const screen = new Screen(s, 0);
    screen.spin('waiting');
    screen.line('one');
    screen.line('two');
    screen.stop();
    expect(s.text()).toBe('one\ntwo\n');
  });

  it('on a terminal: each line clears the spinner line first, and the spinner is redrawn below it', () => {
    const s = stream(true);
    const screen = new Screen(s, Date.now());
    screen.spin('waiting');
    screen.line('one');
    screen.stop();
    const text = s.text();
    expect(text).toMatch(/^\r\x1b\[2K⠋ \d+\.\ds waiting\r\x1b\[2Kone\n\r\x1b\[2K⠋ \d+\.\ds waiting\r\x1b\[2K$/);
  });
});
