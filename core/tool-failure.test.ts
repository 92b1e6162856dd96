// toolStderr / toolFailureText: a failed tool's own words first, the error's message otherwise.
import { describe, expect, it } from 'vitest';
import { toolFailureText, toolStderr } from './tool-failure.js';

const execError = (message: string, stderr: unknown): Error => Object.assign(new Error(message), { stderr });

describe('toolStderr', () => {
  it.each([
    ['stderr, trimmed', execError('Command failed', '  qemu-img: Could not open x\n'), 'qemu-img: Could not open x'],
    ['empty stderr', execError('spawn qemu-img ENOENT', ''), ''],
    ['blank stderr', execError('Command failed', ' \n\t'), ''],
    ['no stderr property', new Error('boom'), ''],
    ['a Buffer, not text', execError('Command failed', Buffer.from('x')), ''],
    ['a thrown string', 'just text', ''],
    ['null', null, ''],
    ['an object with stderr', { stderr: 'nft: syntax error\n' }, 'nft: syntax error'],
  ])('%s', (_what, e, expected) => {
    expect(toolStderr(e)).toBe(expected);
  });
});

describe('toolFailureText', () => {
  it.each([
    ['stderr wins over the message', execError('Command failed: genisoimage', 'genisoimage: No such file\n'), 'genisoimage: No such file'],
    ['the message when stderr is blank', execError('spawn genisoimage ENOENT', '  '), 'spawn genisoimage ENOENT'],
    ['the message without stderr', new Error('timed out'), 'timed out'],
    ['a thrown string as itself', 'just text', 'just text'],
    ['anything else as text', 42, '42'],
  ])('%s', (_what, e, expected) => {
    expect(toolFailureText(e)).toBe(expected);
  });
});
