// A CLI's last moments: its engine process released (nothing in flight), then stopped. The stop must
// keep this process alive until the engine has gone, kill after the grace period included.
import { fileURLToPath } from 'node:url';
import { forkEngine } from '../../electron/engine-host/fork-engine';

const child = forkEngine({ module: fileURLToPath(new URL('./deaf-engine.mjs', import.meta.url)) })(() => undefined);
child.hold(false);
await child.stop(true);
process.stdout.write('stopped\n');
