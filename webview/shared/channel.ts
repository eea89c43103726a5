/**
 * The webview's one channel to the extension host, shared by every view: messages typed both
 * ways by the view's protocol (src/protocol/<view>.ts) and checked at runtime both ways. A host
 * message that fails its schema is dropped and said; a message this side would send that the host
 * would drop is a bug here, so it is not sent and is said instead. The view state that survives
 * a reload goes through the same handle (acquireVsCodeApi may be called once per page).
 */
import type { z } from 'zod';
import { parseWith } from '../../src/protocol/parse';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscodeApi: VsCodeApi = acquireVsCodeApi();

export interface ChannelSpec<FromHost, ToHost> {
  /** Names the view where a dropped message is said ("compare panel", "sidebar"…). */
  view: string;
  fromHost: z.ZodType<FromHost>;
  toHost: z.ZodType<ToHost>;
  /** Where a dropped message is said; the webview's console unless the view has a log on the host. */
  say?: (level: 'warn' | 'error', text: string) => void;
}

export interface Channel<FromHost, ToHost> {
  /** Sends a message to the host once it passes the protocol's schema. */
  send(message: ToHost): void;
  /** Calls `handle` with each valid host message. */
  listen(handle: (message: FromHost) => void): void;
}

export function openChannel<FromHost, ToHost>(spec: ChannelSpec<FromHost, ToHost>): Channel<FromHost, ToHost> {
  const say = spec.say ?? ((level, text) => console[level](`[initlens ${spec.view}] ${text}`));
  return {
    send(message) {
      const checked = parseWith(spec.toHost, message);
      if (!checked.ok) {
        say('error', `webview tried to send an invalid ${checked.error}`);
        return;
      }
      vscodeApi.postMessage(message);
    },
    listen(handle) {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const parsed = parseWith(spec.fromHost, event.data);
        if (!parsed.ok) {
          say('warn', `dropped a malformed host message (${parsed.error})`);
          return;
        }
        handle(parsed.value);
      });
    },
  };
}

/** What the view saved last (any shape: each view checks what it reads back). */
export function loadViewState(): unknown {
  return vscodeApi.getState();
}

export function saveViewState(state: unknown): void {
  vscodeApi.setState(state);
}
