// A process that only forwards messages between its parent and an engine process it forks: what a
// window's tiles would cross if they went through the main process rather than over their own port.
import { fork } from 'node:child_process';

const engine = fork(process.argv[2], [], { serialization: 'advanced', stdio: ['ignore', 2, 2, 'ipc'], execArgv: ['--max-old-space-size=512'] });
engine.on('message', (message) => process.send?.(message));
process.on('message', (message) => engine.send(message));
engine.on('exit', (code) => process.exit(code ?? 1));
process.on('disconnect', () => engine.kill());
