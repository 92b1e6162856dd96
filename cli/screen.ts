/**
 * Where a long-running command (`kvt run`) prints: whole lines, and on a terminal one spinner line
 * below them that is redrawn in place (elapsed time and what the command waits for). Off a
 * terminal there is no spinner, only the lines, so logs and CI output stay plain.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

/** The stream a Screen writes to (process.stdout). */
export interface ScreenStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Lines, and a spinner on a terminal. */
export class Screen {
  private status = '';
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly tty: boolean;

  constructor(private readonly stream: ScreenStream, private readonly startedAt: number = Date.now()) {
    this.tty = stream.isTTY === true;
  }

  /** Prints a whole line (above the spinner). */
  line(text: string): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    if (this.tty && this.timer !== undefined) this.draw();
  }

  /** Shows the spinner with `text` (terminal only). */
  spin(text: string): void {
    this.status = text;
    if (!this.tty) return;
    this.timer ??= setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.draw();
    }, FRAME_MS);
    this.timer.unref();
    this.draw();
  }

  /** Removes the spinner. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame] ?? ''} ${seconds}s ${this.status}`);
  }
}
