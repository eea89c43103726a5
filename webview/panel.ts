/** The Compare panel's webview bundle: styles, the vscode-elements it uses, and the app. */
import '@vscode/codicons/dist/codicon.css';
import 'uplot/dist/uPlot.min.css';
import './shared/theme.css';
import './shared/page.css';
import './panel.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { PanelApp } from './panel/app';

const root = document.getElementById('app');
if (root) new PanelApp(root).start();
