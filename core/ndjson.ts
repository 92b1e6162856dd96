/**
 * Newline-delimited JSON framing, in one place for every socket that speaks it (the launcher
 * protocol, `kvt daemon`'s API socket): a stream arrives in chunks that split lines anywhere, and a
 * peer that never sends a newline must not make us buffer without end. Pure: chunks in, complete
 * lines out; the socket edges only feed it.
 * @see https://github.com/ndjson/ndjson-spec
 */

/** What one chunk completed. */
export interface FramedLines {
  /** The lines completed by this chunk, in order, without their `\n` (or `\r\n`); blank lines are left out. */
  readonly lines: readonly string[];
  /**
   * A line (complete or still open) is longer than the limit: the stream cannot be trusted past it.
   * The lines before it are still in `lines`; every later chunk yields nothing and `tooLong` again.
   */
  readonly tooLong: boolean;
}

/** Splits a stream of text chunks into lines. */
export interface LineFramer {
  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: string): FramedLines;
  /** The limit this framer enforces, in UTF-16 code units (a JS string's length). */
  readonly maxLineLength: number;
}

/** A line without its trailing `\r` (a CRLF peer), or undefined when it is blank. */
function content(line: string): string | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return text.trim() === '' ? undefined : text;
}

/**
 * A framer that refuses lines longer than `maxLineLength` code units. The socket edges decode bytes
 * as UTF-8 before framing (a multi-byte character split across chunks stays whole), so lengths are
 * counted on the decoded text.
 */
export function createLineFramer(maxLineLength: number): LineFramer {
  let open = '';
  let poisoned = false;
  const refuse = (lines: string[]): FramedLines => {
    poisoned = true;
    open = '';
    return { lines, tooLong: true };
  };
  return {
    maxLineLength,
    push(chunk) {
      if (poisoned) return { lines: [], tooLong: true };
      const parts = chunk.split('\n');
      // Every part but the last ended with a newline; the first one continues the open line.
      const ended = parts.slice(0, -1);
      if (ended.length > 0) ended[0] = open + ended[0];
      const lines: string[] = [];
      for (const line of ended) {
        if (line.length > maxLineLength) return refuse(lines);
        const text = content(line);
        if (text !== undefined) lines.push(text);
      }
      open = ended.length === 0 ? open + chunk : (parts.at(-1) ?? '');
      return open.length > maxLineLength ? refuse(lines) : { lines, tooLong: false };
    },
  };
}

/**
 * One value as one line. JSON.stringify escapes every newline inside strings, so the only `\n` is
 * the terminator; a value JSON cannot express (undefined, a function) travels as `null`.
 */
export function encodeLine(value: unknown): string {
  return `${JSON.stringify(value) ?? 'null'}\n`;
}

/**
 * The JSON object a line holds, or undefined when the line is not JSON or holds something else (an
 * array, a string, null): every message of our protocols is an object, and each protocol checks its
 * fields itself.
 */
export function jsonObjectOf(line: string): Readonly<Record<string, unknown>> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
