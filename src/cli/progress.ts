/**
 * A one-line progress bar on a terminal's stderr (none when stderr is piped or in CI): files done
 * of total, rate, ETA, and the current file with its own progress for long videos. Messages
 * printed during the run clear the bar first so lines never interleave.
 */
import type { ProgressSink } from '../hasher/run.js';

export class ProgressBar implements ProgressSink {
  private total = 0;
  private started = 0;
  private lastDraw = 0;
  private visible = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** Whether a bar would be visible: only on an interactive terminal. */
  static enabled(stream: NodeJS.WriteStream = process.stderr): boolean {
    return Boolean(stream.isTTY) && !process.env.CI;
  }

  walking(found: number): void {
    this.draw(`finding files… ${found}`, true);
  }

  start(total: number): void {
    this.total = total;
    this.started = performance.now();
  }

  update(done: number, current: string, fileFraction?: number): void {
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 24;
    const fraction = this.total ? (done + (fileFraction ?? 0)) / this.total : 1;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const cols = this.stream.columns || 100;
    let line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${this.total} files ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}`;
    const rest = cols - line.length - 3;
    if (rest > 10) line += `  ${current.length > rest ? `…${current.slice(-(rest - 1))}` : current}`;
    this.draw(line, false);
  }

  failed(path: string, code: string, message: string): void {
    this.clear();
    this.stream.write(`${failureLine(path, code, message)}\n`);
  }

  finish(): void {
    this.clear();
  }

  private draw(line: string, throttle: boolean): void {
    const now = performance.now();
    if (throttle && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[K${line}`);
    this.visible = true;
  }

  private clear(): void {
    if (this.visible) this.stream.write('\r\x1b[K');
    this.visible = false;
  }
}

/** Reports to a stream without a terminal: failures only, one line each. */
export class FailureLog implements ProgressSink {
  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}
  walking(): void {}
  start(): void {}
  update(): void {}
  finish(): void {}
  failed(path: string, code: string, message: string): void {
    this.stream.write(`${failureLine(path, code, message)}\n`);
  }
}

export function failureLine(path: string, code: string, message: string): string {
  return `error: ${path}: ${message} [${code}]`;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
