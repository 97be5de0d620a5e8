// A test worker process prints one JSON line `{ "url": … }` on stdout once its HTTP server listens: wait for it,
// or fail with the end of the worker's stderr if it exits first.
import type { ChildProcess } from 'node:child_process';

export function workerUrl(worker: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    worker.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    worker.once('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr().slice(-2000)}`)));
  });
}
