/**
 * The sidebar's HTML shell: a strict CSP (nothing but our nonce'd script, our stylesheet and
 * the codicon font from the webview's own origin), the bundle and its stylesheet. Pure, so the
 * policy is unit-tested rather than trusted.
 */
import { randomBytes } from 'node:crypto';

export interface SidebarHtmlParts {
  /** webview.cspSource */
  cspSource: string;
  /** asWebviewUri(dist/webview/sidebar.js) */
  scriptUri: string;
  /** asWebviewUri(dist/webview/sidebar.css) */
  styleUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function sidebarHtml(parts: SidebarHtmlParts): string {
  const nonce = parts.nonce ?? makeNonce();
  // The stylesheet carries the codicon font too; vscode-icon finds it by this id and links it
  // into each icon's shadow root.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(parts.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeAttr(parts.styleUri)}" nonce="${escapeAttr(nonce)}">
<title>InitLens</title>
</head>
<body>
<main id="app" class="app" aria-busy="true"><p class="loading">Loading InitLens…</p></main>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(parts.scriptUri)}"></script>
</body>
</html>`;
}
