/** The webview's one channel to the host: typed, and every message checked before it is sent. */
import { webviewMessageSchema } from '../../src/protocol/panel';
import type { WebviewMessage } from '../../src/protocol/panel';
import { vscodeApi } from '../shared/vscodeApi';

const api = vscodeApi;

export function send(message: WebviewMessage): void {
  // A message the host would drop is a bug here: say so in the host's log instead.
  const checked = webviewMessageSchema.safeParse(message);
  if (!checked.success) {
    api.postMessage({ type: 'log', level: 'error', message: `webview tried to send an invalid ${message.type}: ${checked.error.issues[0]?.message ?? ''}` });
    return;
  }
  api.postMessage(message);
}

export function log(level: 'info' | 'warn' | 'error', message: string): void {
  api.postMessage({ type: 'log', level, message: message.slice(0, 2000) });
}

/** What survives a reload of the webview (and of the window, through the serializer). */
export interface SavedState {
  title?: string;
  skipped?: string[];
  selectedRun?: string;
  stepIndex?: number;
}

export function loadState(): SavedState {
  const raw = api.getState();
  return typeof raw === 'object' && raw !== null ? (raw as SavedState) : {};
}

export function saveState(state: SavedState): void {
  api.setState(state);
}
