// What a person at a terminal sees on stderr: log lines readable by a human (pino-pretty) rather than JSON, and one
// set of progress bars (cli-progress MultiBar) with log lines printed above them, never inside. Elsewhere (a pipe, a
// file, CI) log lines stay pino JSON and progress goes to the log as periodic lines. `--log-format` and `--quiet`
// change it per command.
import cliProgress from 'cli-progress';
import { prettyFactory } from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** A terminal a person watches: stderr is a TTY and this is not CI. */
export const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;

let format: LogFormat = interactive ? 'pretty' : 'json';
let quiet = false;
let bars: cliProgress.MultiBar | undefined;
const pretty = prettyFactory({ colorize: interactive, ignore: 'pid,hostname,app', translateTime: 'SYS:HH:MM:ss.l', singleLine: true });

export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** `--quiet`: no progress bars (log lines below warn are cut by the logger's level). */
export function setQuiet(q: boolean): void {
  quiet = q;
}

export const isQuiet = (): boolean => quiet;

function emit(text: string): void {
  // MultiBar.log prints above the bars and redraws them; without bars, straight to stderr.
  if (bars) bars.log(text.endsWith('\n') ? text : `${text}\n`);
  else process.stderr.write(text);
}

/** pino's destination: each call is one JSON log line. */
export const logDestination = {
  write(line: string): void {
    if (format === 'json') {
      emit(line);
      return;
    }
    try {
      emit(pretty(JSON.parse(line) as object));
    } catch {
      emit(line);
    }
  },
};

/** The process's one set of progress bars (on an interactive terminal, unless quiet); undefined elsewhere. */
export function progressBars(): cliProgress.MultiBar | undefined {
  if (!interactive || quiet) return undefined;
  bars ??= new cliProgress.MultiBar(
    { format: '{task} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false, stopOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return bars;
}

/** Stops the bars once no task uses them, so later output is not redrawn over. */
export function releaseBars(active: number): void {
  if (active > 0 || !bars) return;
  bars.stop();
  bars = undefined;
}
