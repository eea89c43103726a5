// The layering of the house (README, Development → Layers), checked by `npm run lint:layers`
// (part of `npm test`'s lint stage). test/unit/layers.test.ts plants violations and proves
// each rule fails on them.
//
//   webview/ ──▶ src/view ──▶ src/protocol        (the bottom: imports nothing of the project)
//   src/compare, src/sidebar, src/editor ──▶ src/host ──▶ src/probe ──▶ src/protocol
//
// Type-only imports count (tsPreCompilationDeps): a shape borrowed from the wrong layer is the
// same coupling as a value.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'protocol-imports-nothing',
      comment: 'src/protocol is the bottom floor: zod and itself, nothing else of the project.',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^(src/(?!protocol/)|webview/|test/|scripts/|bench/)' },
    },
    {
      name: 'vocabulary-imports-nothing',
      comment: 'The vocabulary is plain constants: not even zod, so every bundle can take it.',
      severity: 'error',
      from: { path: '^src/protocol/vocabulary\\.ts$' },
      to: {},
    },
    {
      name: 'engine-not-vscode',
      comment: 'The engine runs in probe processes and the CLI: never VS Code.',
      severity: 'error',
      from: { path: '^src/probe/' },
      to: { path: '^vscode$|@types/vscode' },
    },
    {
      name: 'engine-below-features',
      comment: 'The engine imports only itself and the protocol: no host, features, views or webview code.',
      severity: 'error',
      from: { path: '^src/probe/' },
      to: {
        path: '^(src/(editor|compare|sidebar|host|view)/|src/(extension|cli|results|notes)\\.ts$|webview/)',
        // The one number format: flag evidence reads like every other value; and the one 95%
        // interval, shared with the panel's bands. Leaves (rule below).
        pathNot: '^src/view/(number|intervals)\\.ts$',
      },
    },
    {
      name: 'number-format-is-a-leaf',
      comment: 'src/view/number.ts and intervals.ts are shared with the engine, so they import nothing.',
      severity: 'error',
      from: { path: '^src/view/(number|intervals)\\.ts$' },
      to: {},
    },
    {
      name: 'view-is-pure',
      comment: 'src/view is pure presentation (CLI, panels, hovers, report): no vscode, no node, no features; of the engine only the config checks.',
      severity: 'error',
      from: { path: '^src/view/' },
      to: {
        pathNot: '^(src/view/|src/protocol/|src/probe/config\\.ts$)',
        dependencyTypesNot: ['npm', 'npm-dev'],
      },
    },
    {
      name: 'webview-only-protocol-and-view',
      comment: 'Browser code takes shapes from src/protocol and texts from src/view; everything else it is sent.',
      severity: 'error',
      from: { path: '^webview/' },
      to: { path: '^src/', pathNot: '^src/(protocol|view)/' },
    },
    {
      name: 'webview-without-the-parser',
      comment: 'The initializer parser and catalog stay out of the webview bundles (the host sends what they compute).',
      severity: 'error',
      from: { path: '^webview/' },
      to: { path: '^src/probe/initializers/', reachable: true },
    },
    {
      name: 'host-below-features',
      comment: 'The session, history and settings serve the features; they do not reach into them.',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^(src/(editor|compare|sidebar)/|src/extension\\.ts$|webview/)' },
    },
    {
      name: 'editor-not-panels',
      comment: 'Editor features reach the Compare flow through CompareApi (host/context.ts), not its modules.',
      severity: 'error',
      from: { path: '^src/editor/' },
      to: { path: '^src/(compare|sidebar)/' },
    },
    {
      name: 'compare-not-sidebar',
      comment: 'The sidebar drives Compare (CompareApi, the pure request builder); never the other way.',
      severity: 'error',
      from: { path: '^src/compare/' },
      to: { path: '^src/sidebar/' },
    },
    {
      name: 'webview-views-apart',
      comment: 'Each view (panel/, sidebar/, propagation/) imports only itself and webview/shared/: what two views use lives in shared.',
      severity: 'error',
      from: { path: '^webview/([^/]+)/' },
      to: { path: '^webview/', pathNot: '^webview/($1|shared)/' },
    },
    {
      name: 'no-node-in-webview',
      comment: 'Webview code runs in a browser.',
      severity: 'error',
      from: { path: '^webview/' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|out|node_modules|\\.vscode-test)/' },
  },
};
