/** The Compare panel's end of its channel (src/protocol/panel.ts); what goes wrong here is said in the host's log. */
import { hostMessageSchema, webviewMessageSchema } from '../../src/protocol/panel';
import type { HostMessage, WebviewMessage } from '../../src/protocol/panel';
import { openChannel } from '../shared/channel';

export function log(level: 'info' | 'warn' | 'error', message: string): void {
  send({ type: 'log', level, message: message.slice(0, 2000) });
}

export const { send, listen } = openChannel<HostMessage, WebviewMessage>({ view: 'compare panel', fromHost: hostMessageSchema, toHost: webviewMessageSchema, say: log });
