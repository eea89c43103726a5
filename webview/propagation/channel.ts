/** The Signal Propagation view's end of its channel (src/protocol/propagation.ts). */
import { propagationHostMessageSchema, propagationWebviewMessageSchema } from '../../src/protocol/propagation';
import type { PropagationHostMessage, PropagationWebviewMessage } from '../../src/protocol/propagation';
import { openChannel } from '../shared/channel';

export const { send, listen } = openChannel<PropagationHostMessage, PropagationWebviewMessage>({
  view: 'signal propagation',
  fromHost: propagationHostMessageSchema,
  toHost: propagationWebviewMessageSchema,
});
