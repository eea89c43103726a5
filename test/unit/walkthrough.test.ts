// The Getting Started walkthrough as contributed: every step completes by something the person
// does (a view opened, a command run, a context key InitLens sets), every link runs a command
// that exists, every media file ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    walkthroughs?: { id: string; title: string; steps: { id: string; title: string; description: string; media: { markdown?: string; image?: unknown }; completionEvents?: string[] }[] }[];
  };
};

test('a Getting Started walkthrough: sidebar, seed comparison, a note, a hover, your model', () => {
  const walkthrough = manifest.contributes.walkthroughs?.[0];
  assert.ok(walkthrough, 'contributes.walkthroughs');
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ['openSidebar', 'runSeed', 'readNote', 'hover', 'probeModel'],
  );
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const views = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
  const walkthroughSource = readFileSync(join(root, 'src', 'walkthrough.ts'), 'utf8');
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  for (const step of walkthrough.steps) {
    assert.ok(step.completionEvents && step.completionEvents.length > 0, `${step.id}: completes as the person does it, not by a click on the step`);
    for (const event of step.completionEvents) {
      const [kind, what] = event.split(/:(.*)/s);
      if (kind === 'onView') assert.ok(views.has(what), `${step.id}: view ${what}`);
      else if (kind === 'onCommand') assert.ok(commands.has(what), `${step.id}: command ${what}`);
      else if (kind === 'onContext') assert.ok(walkthroughSource.includes(`'${what}'`), `${step.id}: context key ${what} is set by src/walkthrough.ts`);
      else assert.fail(`${step.id}: unexpected completion event ${event}`);
    }
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok(commands.has(command) || command === 'initlens.sidebar.focus', `${step.id}: link to ${command}`);
    }
    const media = step.media.markdown;
    assert.ok(media && existsSync(join(root, media)), `${step.id}: media ${media}`);
    for (const [, image] of readFileSync(join(root, media), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      assert.ok(existsSync(join(root, 'media', 'walkthrough', image)), `${step.id}: image ${image}`);
    }
  }
  assert.match(ignore, /^!media\/walkthrough\/\*\*$/m, 'the walkthrough media ship in the .vsix');
  assert.match(ignore, /^!media\/screenshots\/\*\*$/m);
});
