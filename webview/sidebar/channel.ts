/** The sidebar's end of its channel (src/protocol/sidebar.ts). */
import { hostToSidebarSchema, sidebarToHostSchema } from '../../src/protocol/sidebar';
import type { HostToSidebar, SidebarToHost } from '../../src/protocol/sidebar';
import { openChannel } from '../shared/channel';

export const { send, listen } = openChannel<HostToSidebar, SidebarToHost>({ view: 'sidebar', fromHost: hostToSidebarSchema, toHost: sidebarToHostSchema });
