// Every process the real-VS-Code harness starts is registered here, so it ends with the run
// whatever the way out: normal return, thrown error, Ctrl+C, SIGTERM from CI, or a hard timeout.

export interface Cleanup {
  /** Graceful stop; may take a few seconds. */
  stop(): Promise<void>;
  /** Last resort on process exit: must be synchronous (no event loop left). */
  killNow(): void;
}

const live = new Set<Cleanup>();
let handlersInstalled = false;
let receivedSignal: NodeJS.Signals | undefined;

/** The signal that is ending this run, if any (results seen after it are not the suites'). */
export function interruptedBy(): NodeJS.Signals | undefined {
  return receivedSignal;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      receivedSignal = signal;
      console.error(`[harness] ${signal}: stopping code-server and Chromium`);
      void stopAll().finally(() => process.exit(signalExitCode(signal)));
    });
  }
}

/** The shell's convention: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGHUP' ? 129 : signal === 'SIGINT' ? 130 : 143;
}

/** Throws once a signal is ending the run: nothing new may start while everything stops. */
export function assertRunning(): void {
  if (receivedSignal) throw new Error(`the harness is stopping (${receivedSignal})`);
}

/**
 * Registers a resource; returns a function that unregisters it (call it once stopped).
 * A resource that appears while the run is ending is killed at once.
 */
export function track(cleanup: Cleanup): () => void {
  installHandlers();
  if (receivedSignal) {
    cleanup.killNow();
    throw new Error(`the harness is stopping (${receivedSignal})`);
  }
  live.add(cleanup);
  return () => {
    live.delete(cleanup);
  };
}

/** Stops every live resource, newest first (the browser before the server it talks to). */
export async function stopAll(): Promise<void> {
  for (const c of [...live].reverse()) {
    try {
      await c.stop();
    } catch (error) {
      console.error(`[harness] cleanup failed: ${String(error)}`);
      c.killNow();
    }
    live.delete(c);
  }
}
