/** The sidebar page's HTML: its Content Security Policy and how it loads its script and style. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, sidebarHtml } from '../../src/sidebar/html';

test('the HTML: strict CSP, the script only by its nonce, no inline anything', () => {
  const html = sidebarHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x.vscode-cdn.net/dist/webview/sidebar.js', styleUri: 'https://x.vscode-cdn.net/dist/webview/sidebar.css?a=1&b="2"', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  assert.equal(csp, contentSecurityPolicy('https://x.vscode-cdn.net', 'abc123'));
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'nonce-abc123'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\.vscode-cdn\.net\/dist\/webview\/sidebar\.js"><\/script>/);
  assert.doesNotMatch(html, /style="|<style/);
  assert.match(html, /sidebar\.css\?a=1&amp;b=&quot;2&quot;/);
  const a = /nonce-([^']+)'/.exec(sidebarHtml({ cspSource: 's', scriptUri: 'j', styleUri: 'c' }))?.[1];
  const b = /nonce-([^']+)'/.exec(sidebarHtml({ cspSource: 's', scriptUri: 'j', styleUri: 'c' }))?.[1];
  assert.ok(a && b && a !== b && a.length >= 24);
});
