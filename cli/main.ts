/** Entry of the `kvt` process: wires the real streams to the command dispatcher. */
import type { CommandIo } from './command.js';
import { runKvt } from './kvt.js';

const io: CommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
process.exitCode = await runKvt(process.argv.slice(2), io);
