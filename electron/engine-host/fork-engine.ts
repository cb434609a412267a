// Starts the engine process with child_process.fork: the CLI, the tests, the benchmarks and the e2e
// host run it this way (the app with Electron's utilityProcess, electron/main/utility-engine.ts).
// Windows' connections are numbered channels of the one IPC connection.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Endpoint, RpcMessage } from '../../shared/rpc';
import type { EngineSpawn } from './engine-client';
import { type EngineLaunchSettings, engineEnvironment, engineExecArgv, exitReason } from './engine-settings';
import { HOST_CHANNEL, type RawChannel, subChannel } from './parent-channel';

/** How long the engine process asked to leave may take before it is killed. */
const EXIT_GRACE_MS = 3000;
/** How long a killed engine process is waited for. */
const KILLED_EXIT_MS = 2000;

export interface ForkEngineOptions extends EngineLaunchSettings {
  /** The engine process module; default the TypeScript source beside this file, or the built one beside the CLI bundle. */
  module?: string;
}

/** The engine process's module as this code runs: from source (tsx) or from the CLI's bundle in dist/cli/. */
export function defaultEngineModule(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? './engine-process.ts' : '../electron/engine-process.mjs', import.meta.url));
}

export function forkEngine(options: ForkEngineOptions = {}): EngineSpawn<Endpoint> {
  return (gone) => {
    const module = options.module ?? defaultEngineModule();
    const env = engineEnvironment(process.env, options);
    const child = fork(module, [], {
      execArgv: [...(module.endsWith('.ts') ? ['--import', 'tsx'] : []), ...engineExecArgv(options)],
      env,
      serialization: 'advanced',
      detached: options.parentHandlesSignals === true && process.platform !== 'win32',
      // Its stdout goes to our stderr: a CLI's stdout carries only its own output (info --json).
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const raw: RawChannel = {
      send(envelope) {
        if (child.connected) child.send(envelope, (error) => void error);
      },
      listen(listener) {
        const onMessage = (message: unknown) => listener(message, []);
        child.on('message', onMessage);
        return () => void child.off('message', onMessage);
      },
    };
    child.on('error', (error) => gone(`it could not run (${error.message})`));
    child.on('exit', (code, signal) => gone(signal ? `it was killed (${signal})` : exitReason(code)));
    const channel = () => (child as { channel?: { ref(): void; unref(): void } }).channel;
    return {
      endpoint: subChannel(raw, HOST_CHANNEL),
      pid: child.pid,
      hold(held) {
        // The process and its IPC channel keep us alive only while it works for us (a CLI must exit when done).
        if (held) {
          child.ref();
          channel()?.ref();
        } else {
          child.unref();
          channel()?.unref();
        }
      },
      stop(graceful) {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        // Waited for until it has gone: an unreferenced child would let a CLI's event loop end first,
        // with its last await unsettled (exit code 13), when the kill comes after the grace period.
        child.ref();
        return new Promise<void>((resolve) => {
          // A process in uninterruptible I/O (a hung network mount) outlives even SIGKILL for a while:
          // not waited for past KILLED_EXIT_MS, so a command told to stop does stop.
          let gone: ReturnType<typeof setTimeout> | undefined;
          const timer = setTimeout(
            () => {
              child.kill('SIGKILL');
              gone = setTimeout(() => {
                child.unref();
                channel()?.unref();
                resolve();
              }, KILLED_EXIT_MS);
            },
            graceful ? EXIT_GRACE_MS : 0,
          );
          child.once('exit', () => {
            clearTimeout(timer);
            clearTimeout(gone);
            resolve();
          });
          if (graceful) raw.send({ ch: HOST_CHANNEL, m: { rpc: 'exit' } satisfies RpcMessage });
        });
      },
      connect(client) {
        raw.send({ connect: client });
        return subChannel(raw, client);
      },
      disconnect: (client) => raw.send({ disconnect: client }),
    };
  };
}
