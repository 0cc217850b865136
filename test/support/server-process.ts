/** Real `alliance serve` processes on 127.0.0.1 (random ports), for tests across processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI } from './paths.js';

export interface ServerProcess {
  url: string;
  /** The admin token printed on first start (undefined on later starts). */
  token?: string;
  proc: ChildProcess;
  stderr(): string;
  /** What the server wrote to stdout (its JSON log lines), the last 4 MB. */
  stdout(): string;
  /** Stops with a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The first admin token: without a terminal, serve writes it to a 0600 file and names the file. */
function firstToken(stderr: string): string | undefined {
  const file = /admin token, written to (\S+) \(readable by this user only\)/.exec(stderr)?.[1];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

/** `nodeArgs` go to node itself (e.g. --cpu-prof for profiling a benchmark). */
export function startServer(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, nodeArgs: string[] = [], wrap: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const argv = [...wrap, process.execPath, ...nodeArgs, CLI, 'serve', ...args];
    const proc = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ALLIANCE_PORT: '0', ALLIANCE_HOST: '127.0.0.1', ALLIANCE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.length > 8 << 20) out = out.slice(-(4 << 20));
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          token: firstToken(err),
          proc,
          stderr: () => err,
          stdout: () => out,
          async stop(signal = 'SIGTERM') {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (!/Listening on/.test(err)) reject(new Error(`server exited (${code}) before listening:\n${err}`));
    });
  });
}

/** fetch with a bearer token and JSON. */
export async function http(url: string, token: string | undefined, method = 'GET', body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const send = () =>
    fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // A GET sent on a kept-alive connection the server is closing at that moment is reset; like any
  // HTTP client, try an idempotent request once more.
  const res = await send().catch((err: unknown) => {
    if (method === 'GET' && /ECONNRESET|other side closed|socket hang up/i.test(String((err as { cause?: unknown }).cause ?? err))) return send();
    throw err;
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** The fields of /proc/<pid>/stat after the command name: [state, ppid, …]; undefined once the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The direct children of a process (serve --workers: its workers), from /proc. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(procStat(Number(name))?.[1]) === pid)
    .map(Number)
    .sort((a, b) => a - b);
}

/** CPU seconds (user + system) a process and its children have used, from /proc. */
export function treeCpuSeconds(pid: number): number {
  return [pid, ...childPids(pid)].reduce((sum, p) => {
    const f = procStat(p);
    return f ? sum + (Number(f[11]) + Number(f[12])) / 100 : sum;
  }, 0);
}
