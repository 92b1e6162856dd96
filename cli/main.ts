/** Entry of the `kvt` process: sets the process's V8 memory policy, wires the real streams to the command dispatcher. */
import { setFlagsFromString } from 'node:v8';
import type { CommandIo } from './command.js';
import { LEAN_HEAP_COMMANDS, runKvt } from './kvt.js';

// Before the command loads anything: V8 applies this flag to the heap from here on.
if (LEAN_HEAP_COMMANDS.has(process.argv[2] ?? '')) setFlagsFromString('--optimize-for-size');

// A reader that goes away (`kvt get vms | head -1`) ends kvt quietly, as SIGPIPE ends kubectl (128 + 13),
// instead of an unhandled EPIPE with a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
}

const io: CommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
process.exitCode = await runKvt(process.argv.slice(2), io);
