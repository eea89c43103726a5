/**
 * The sidebar's HTML shell: the same strict page as the Compare panel's (webviewHtml.ts), with
 * the sidebar's own root class and placeholder.
 */
import { webviewHtml } from './webviewHtml';
import type { WebviewPage } from './webviewHtml';

export { contentSecurityPolicy, makeNonce } from './webviewHtml';

export type SidebarHtmlParts = Pick<WebviewPage, 'cspSource' | 'scriptUri' | 'styleUri' | 'nonce'>;

export function sidebarHtml(parts: SidebarHtmlParts): string {
  return webviewHtml({ ...parts, title: 'InitLens', mainClass: 'app', loadingClass: 'loading', loadingText: 'Loading InitLens…' });
}
