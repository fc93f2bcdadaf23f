/**
 * vitest globalSetup: starts `tests/support/live_stack.py` (the repository's live stack: a
 * real `chatroutes serve` on a temp SQLite database, providers at the mock upstream) and
 * provides what it printed as `inject('stack')`. The stack stops when its stdin closes.
 *
 * Reusable by the other JS packages of the repository: in their vitest config,
 * `globalSetup: ['../typescript/tests/support/global-setup.ts']`, and in tests
 * `import { inject } from 'vitest'; const stack = inject('stack');`.
 *
 * Python: env `CHATROUTES_PYTHON`, default `<repo>/.venv/bin/python`.
 *
 * A stack already running (the repository's pytest runs every package's suite on one) is
 * given as its JSON line in env `CHATROUTES_LIVE_STACK`: then none is started here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface LiveStack {
  /** The server's root, e.g. `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** `baseUrl + '/api/v1'`. */
  apiUrl: string;
  apiKey: string;
  /** A second account's key: its objects are 404 to `apiKey` and the other way round. */
  otherApiKey: string;
  /** An account on a plan of `limitedPerMinute` requests a minute (for 429s). */
  limitedApiKey: string;
  limitedPerMinute: number;
  /** The mock upstream's control endpoint: POST /faults {marker, fault, status, seconds, ...}, POST /clear, GET /requests?marker=… (the bodies the model was sent). */
  controlUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LiveStack;
  }
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const START_TIMEOUT_MS = 180_000; // a loaded CI machine starts Python slowly

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = process.env.CHATROUTES_LIVE_STACK;
  if (running) {
    project.provide('stack', JSON.parse(running) as LiveStack);
    return async () => {};
  }
  const python = process.env.CHATROUTES_PYTHON || resolve(REPO_ROOT, '.venv/bin/python');
  const script = resolve(REPO_ROOT, 'tests/support/live_stack.py');
  child = spawn(python, [script], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const stack = await new Promise<LiveStack>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`live_stack.py did not start in time\n${stderr}`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: child!.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(line) as LiveStack);
      } catch {
        reject(new Error(`live_stack.py printed ${line}\n${stderr}`));
      }
    });
    child!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`live_stack.py exited with ${code}\n${stderr}`));
    });
    child!.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  project.provide('stack', stack);
  return async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.stdin!.end();
    const killer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  };
}
