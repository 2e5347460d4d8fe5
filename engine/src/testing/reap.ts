import type { ChildProcess } from 'node:child_process';

/**
 * Children the kit started and that still run. A test file that fails
 * before its afterAll must not leave a node or a redis-server behind it: when
 * this process exits, whatever is left here gets SIGKILL.
 */
const running = new Set<ChildProcess>();
let hooked = false;

export function reapOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}
