// Starts the engine process as Electron's utilityProcess (the app; the CLI and the tests fork it,
// engine-host/fork-engine.ts), and gives each window a MessagePort of its own to it: tiles then go
// from the engine process to the window without passing through the main process.

import { MessageChannelMain, type MessagePortMain, utilityProcess } from 'electron';
import type { RpcMessage } from '../../shared/rpc';
import type { EngineSpawn } from '../engine-host/engine-client';
import { type EngineLaunchSettings, engineEnvironment, engineExecArgv, exitReason } from '../engine-host/engine-settings';
import { HOST_CHANNEL, type ParentEnvelope, type RawChannel, subChannel } from '../engine-host/parent-channel';

const EXIT_GRACE_MS = 3000;

export function utilityEngine(options: EngineLaunchSettings & { module: string }): EngineSpawn<MessagePortMain> {
  return (gone) => {
    const env = engineEnvironment(process.env, options);
    const child = utilityProcess.fork(options.module, [], {
      serviceName: 'Slidescope slide engine',
      execArgv: engineExecArgv(options),
      env,
      stdio: 'inherit',
    });
    let exited = false;
    const raw: RawChannel = {
      send: (envelope: ParentEnvelope) => {
        if (!exited) child.postMessage(envelope);
      },
      listen(listener) {
        const onMessage = (message: unknown) => listener(message, []);
        child.on('message', onMessage);
        return () => void child.off('message', onMessage);
      },
    };
    // Electron emits 'error' on a fatal V8 error in the child: unheard, it would throw in the main process.
    let fatal: string | null = null;
    child.on('error', (type: string, location: string) => {
      fatal = `${type} at ${location}`;
    });
    child.once('exit', (code) => {
      exited = true;
      gone(fatal ? `it failed (${fatal})` : exitReason(code));
    });
    return {
      endpoint: subChannel(raw, HOST_CHANNEL),
      get pid() {
        return child.pid;
      },
      hold: () => undefined, // the main process lives as long as the app
      stop(graceful) {
        if (exited) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill(), graceful ? EXIT_GRACE_MS : 0);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          if (graceful) raw.send({ ch: HOST_CHANNEL, m: { rpc: 'exit' } satisfies RpcMessage });
        });
      },
      connect(client) {
        const { port1, port2 } = new MessageChannelMain();
        if (!exited) child.postMessage({ connect: client } satisfies ParentEnvelope, [port1]);
        return port2;
      },
      disconnect: (client) => raw.send({ disconnect: client }),
    };
  };
}
