/** The Signal Propagation view's webview bundle: styles, the vscode-elements it uses, and the app. */
import '@vscode/codicons/dist/codicon.css';
import 'uplot/dist/uPlot.min.css';
import './shared/theme.css';
import './shared/page.css';
import './propagation.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { PropagationApp } from './propagation/app';

const root = document.getElementById('app');
if (root) new PropagationApp(root).start();
