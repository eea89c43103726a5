/**
 * The one HTML page of a webview: strict CSP (`default-src 'none'`), the script by nonce, styles
 * and fonts from the webview's own origin only. Pure: the caller passes URIs already made with
 * asWebviewUri, so tests can read the page without VS Code.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** webview.cspSource */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  nonce?: string;
  /** Class of the app's root element, and the placeholder shown until the script has run. */
  mainClass?: string;
  loadingText?: string;
  loadingClass?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function webviewHtml(page: WebviewPage): string {
  const nonce = page.nonce ?? makeNonce();
  // The stylesheet doubles as the codicon stylesheet: vscode-elements' icons look it up by this
  // id and load it into their shadow roots (it bundles codicon.css).
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(page.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeAttr(page.styleUri)}">
<title>${escapeAttr(page.title)}</title>
</head>
<body>
<main id="app"${page.mainClass ? ` class="${escapeAttr(page.mainClass)}"` : ''} aria-busy="true"><p class="${escapeAttr(page.loadingClass ?? 'empty')}">${escapeAttr(page.loadingText ?? 'Loading…')}</p></main>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(page.scriptUri)}"></script>
</body>
</html>`;
}
