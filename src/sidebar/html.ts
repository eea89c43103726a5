/**
 * The sidebar's HTML shell: the same strict page as the Compare panel's (host/webviewHtml.ts), with
 * the sidebar's own root class and placeholder.
 */
import { webviewHtml } from '../host/webviewHtml';
import type { WebviewPage } from '../host/webviewHtml';

export { contentSecurityPolicy } from '../host/webviewHtml';

export type SidebarHtmlParts = Pick<WebviewPage, 'cspSource' | 'scriptUri' | 'styleUri' | 'nonce'>;

export function sidebarHtml(parts: SidebarHtmlParts): string {
  return webviewHtml({ ...parts, title: 'InitLens', mainClass: 'app', loadingClass: 'loading', loadingText: 'Loading InitLens…' });
}
