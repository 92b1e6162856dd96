/**
 * Guest console output as `kvt run` shows it: raw serial bytes split into lines, each printed with
 * the VMI's name in front; carriage returns and terminal control sequences are dropped so a prefixed
 * line stays readable in a log. A partial line waits for its end (or for `flush`).
 */

// CSI sequences (colours, cursor moves), OSC sequences, and the other C0 controls except tab.
const CONTROL = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** A line without its terminal control characters. */
export function cleanLine(line: string): string {
  return line.replace(CONTROL, '');
}

/** Splits one console's byte stream into prefixed lines. */
export class ConsoleLines {
  private partial = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly prefix: string) {}

  /** The complete lines in `chunk` (and what came before it), prefixed. */
  push(chunk: Uint8Array): string[] {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    return parts.map((line) => `${this.prefix}${cleanLine(line)}`);
  }

  /** The rest of a line that never ended (the console closed), or nothing. */
  flush(): string[] {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    return cleanLine(rest) === '' ? [] : [`${this.prefix}${cleanLine(rest)}`];
  }
}
