/**
 * The Getting Started walkthrough's moving parts (the steps themselves are in package.json,
 * contributes.walkthroughs): an example model to hover and probe, and the context keys that
 * tick off the steps no command marks: a hover shown, a note read, a model probed from its lens.
 */
import * as vscode from 'vscode';

/** Context keys named in the walkthrough's `onContext:` completion events. */
export const WALKTHROUGH_KEYS = { hovered: 'initlens.walkthrough.hovered', noteRead: 'initlens.walkthrough.noteRead', probed: 'initlens.walkthrough.probed' } as const;

const marked = new Set<string>();

/** Ticks off a walkthrough step once per window (VS Code remembers completed steps). */
export function markWalkthrough(step: keyof typeof WALKTHROUGH_KEYS): void {
  if (marked.has(step)) return;
  marked.add(step);
  void vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[step], true);
}

/** The seed notebook's model, to hover and probe without a project of one's own. */
export const EXAMPLE_MODEL = `# InitLens example: the seed notebook's model. Hover an initializer to see what it does to
# its layer; the lens above the model probes it on MNIST.
from tensorflow.keras import layers, models

model = models.Sequential([
    layers.Flatten(input_shape=(28, 28)),
    layers.Dense(128, activation='relu', kernel_initializer='zeros'),
    layers.Dense(10, activation='softmax'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
`;

export function registerWalkthrough(extension: vscode.ExtensionContext): void {
  extension.subscriptions.push(
    vscode.commands.registerCommand('initlens.openExample', async () => {
      const document = await vscode.workspace.openTextDocument({ language: 'python', content: EXAMPLE_MODEL });
      await vscode.window.showTextDocument(document);
    }),
  );
}
