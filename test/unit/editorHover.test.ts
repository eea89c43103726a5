/**
 * The hover markdown as a pure function of (text, position): the numbers it shows come from the
 * theory for the layer the code implies, its links run only InitLens' commands with arguments
 * the commands accept, and nothing is said about words that aren't initializers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { HOVER_COMMANDS, hoverMarkdown } from '../../src/editor/hover';
import { compareAlternatives, initializerCommandArgsSchema, probeWithInitializer } from '../../src/editor/initializerRequests';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { weightStdOrLimit } from '../../src/probe/initializers/theory';
import { parseInitializer } from '../../src/probe/initializers/parse';
import { NOTE_IDS } from '../../src/probe/initializers/spec';
import { loadNote } from '../../src/notes';
import { formatNumber } from '../../src/view/number';
import type { SourceLanguage } from '../../src/editor/lexer';

const fixtures = join(__dirname, '..', 'fixtures', 'workspace');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function hoverOn(text: string, needle: string, language: SourceLanguage = 'python', nth = 0, inside = 1): string | undefined {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `'${needle}' not found`);
  return hoverMarkdown(text, language, at + inside, { fileName: 'sample' })?.markdown;
}

/** The command links of a hover: [command, decoded argument]. */
function links(markdown: string): [string, unknown][] {
  return [...markdown.matchAll(/\(command:([\w.]+)\?([^)\s]+)\)/g)].map((m) => [m[1], (JSON.parse(decodeURIComponent(m[2])) as unknown[])[0]]);
}

test('he_normal after Flatten(input_shape=(28, 28)): fan_in 784, std 0.0505 (the theory’s number), gain 1, suits relu', () => {
  const md = hoverOn(read('keras_models.py'), "'he_normal'");
  assert.ok(md);
  const expected = weightStdOrLimit(parseInitializer('he_normal').spec, 784, 128).std;
  assert.equal(expected.toPrecision(3), '0.0505');
  assert.match(md, /\*\*InitLens\*\* · `he_normal` · He et al\\\. 2015/);
  assert.match(md, /`W ~ N\(0, 2\/fan_in\), truncated at 2σ \(std rescaled by 1\/0\.8796\)`/);
  assert.match(md, /scale 2 · mode fan\\_in · distribution truncated\\_normal/);
  assert.match(md, /\*\*Dense\\\(128, relu\\\)\*\* · line 12 {2}\nfan_in 784 · fan_out 128 → \*\*std 0\.0505\*\* · gain 1 per layer/);
  assert.match(md, /\$\(pass\) suits this layer's relu/);
  assert.match(md, /Suits relu, elu, leaky_relu, gelu/);
});

test('the note’s title and summary, with a link that opens it', () => {
  const md = hoverOn(read('keras_models.py'), "'he_normal'") ?? '';
  const note = loadNote('he');
  assert.ok(note);
  assert.ok(md.includes(`**He \\(Kaiming\\) initialization** — He initialization sets Var\\(W\\) = 2/fan\\_in`));
  assert.deepEqual(links(md)[0], ['initlens.openNote', 'he']);
});

test('links run only InitLens’ three commands, with arguments those commands accept', () => {
  const md = hoverOn(read('keras_models.py'), "'he_normal'") ?? '';
  const found = links(md);
  assert.deepEqual(found.map(([c]) => c), ['initlens.openNote', 'initlens.probeWithInitializer', 'initlens.compareAlternatives']);
  for (const [command] of found) assert.ok((HOVER_COMMANDS as readonly string[]).includes(command));
  const args = initializerCommandArgsSchema.parse(found[1][1]);
  assert.deepEqual(args, { initializer: 'he_normal', source: 'sample:12', activation: 'relu', fanIn: 784, fanOut: 128 });
});

test('every catalog note id a hover can link to exists', () => {
  for (const id of NOTE_IDS) assert.ok(loadNote(id), id);
});

test('class calls keep their own text in the links when it parses the same on its own', () => {
  const md = hoverOn(read('seed_model.py'), 'initializers.HeNormal()', 'python', 0, 15) ?? '';
  assert.match(md, /line 16 {2}\nfan_in 784 · fan_out 128/);
  const args = initializerCommandArgsSchema.parse(links(md)[1][1]);
  assert.equal(args.initializer, 'initializers.HeNormal()');
});

test('TensorFlow.js: uncorrected truncation, its note, and the warning for tanh', () => {
  const md = hoverOn(read('tfjs_model.ts'), "'heNormal'", 'javascript', 1) ?? '';
  assert.match(md, /`tf\.initializers\.heNormal\(\)`/);
  assert.match(md, /Var\(W\) = 0\.774·2\/fan_in/);
  assert.match(md, /\$\(info\) _tfjs draws this truncated normal without Keras' 1\/0\\\.8796 correction/);
  assert.match(md, /\$\(warning\) not for this layer's tanh: InitLens recommends `glorot_normal`/);
  const call = hoverOn(read('tfjs_model.ts'), 'glorotNormal({})', 'javascript', 0, 3) ?? '';
  assert.match(call, /output layer \(softmax\)/);
});

test('PyTorch: kaiming_normal_ on self.fc1.weight of nn.Linear(784, 128): untruncated, std √(2/784)', () => {
  const md = hoverOn(read('torch_model.py'), 'kaiming_normal_', 'python', 0, 2) ?? '';
  assert.match(md, /`VarianceScaling\(scale=2\.0, mode='fan_in', distribution='untruncated_normal'\)`/);
  assert.match(md, /`W ~ N\(0, 2\/fan_in\), untruncated`/);
  assert.match(md, /\*\*Linear\\\(784, 128\\\)\*\* · line 10 {2}\nfan_in 784 · fan_out 128 → \*\*std 0\.0505\*\*/);
  assert.match(md, /suits this layer's relu \(from forward\(\)\)/);
  assert.equal(Math.sqrt(2 / 784).toPrecision(3), '0.0505');
});

test('a bias initializer says so and offers no probe of it as a kernel', () => {
  const md = hoverOn(read('keras_models.py'), '"zeros"') ?? '';
  assert.match(md, /Initializes a \*\*bias\*\*/);
  assert.ok(!md.includes('probeWithInitializer'));
});

test('no hover in comments, docstrings, plain strings or on other calls', () => {
  const text = read('keras_models.py');
  assert.equal(hoverOn(text, '# he_normal', 'python', 0, 3), undefined);
  assert.equal(hoverOn(text, '"he_normal"', 'python', 0, 2), undefined);
  assert.equal(hoverOn(text, "kernel_initializer='zeros' inside", 'python', 0, 21), undefined);
  assert.equal(hoverOn(text, 'layers.Dense(128', 'python', 0, 8), undefined);
  const doc = '"""\nkernel_initializer=\'he_normal\'\n"""\n';
  assert.equal(hoverOn(doc, 'he_normal'), undefined);
  const js = "// kernelInitializer: 'heNormal'\nconst s = 'heNormal';\n";
  assert.equal(hoverOn(js, 'heNormal', 'javascript', 0), undefined);
  assert.equal(hoverOn(js, 'heNormal', 'javascript', 1), undefined);
});

test('a bad initializer gets its one-line reason', () => {
  const md = hoverOn("Dense(64, kernel_initializer='he_norml')", 'he_norml') ?? '';
  assert.equal(md.split('\n').length, 1);
  assert.match(md, /can't read `'he_norml'`: unknown initializer 'he\\_norml' — did you mean he\\_normal/);
});

test('a repeated layer shows each pair of fans it meets', () => {
  const src = "model = keras.Sequential([layers.Flatten(input_shape=(28, 28))] + [layers.Dense(256, activation='relu', kernel_initializer='he_uniform') for _ in range(4)])";
  const md = hoverOn(src, 'he_uniform') ?? '';
  assert.match(md, /\*\*Dense\\\(256, relu\\\)\*\* · line 1 · used 2 ways {2}\nfan_in 784 · fan_out 256 → \*\*limit ±0\.0875\*\* \(std 0\.0505\) · gain 1 per layer {2}\nfan_in 256 · fan_out 256 → \*\*limit ±0\.153\*\*/);
});

test('hover never throws, whatever the text and position (property)', () => {
  const pieces = ["kernel_initializer='he_normal'", 'Dense(', ')', 'initializers.', 'RandomNormal(stddev=', '0.05', '(', '[', ']', ',', '\n', '#', "'", 'nn.init.normal_(', 'x.weight', 'seed=', '{', '}', 'kernelInitializer: '];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.nat(), fc.boolean(), (parts, pos, python) => {
      const text = parts.join('');
      const h = hoverMarkdown(text, python ? 'python' : 'javascript', text.length === 0 ? 0 : pos % text.length);
      if (h) assert.ok(h.start <= pos % Math.max(1, text.length) && h.markdown.length > 0);
    }),
    { numRuns: 400 },
  );
});

test('a Dense in a residual branch (its output read by Add()([x, h])) is not called the output layer', () => {
  const text = [
    'from tensorflow.keras import layers, Model, Input',
    'width = 128',
    'inputs = Input(shape=(784,))',
    'x = layers.Dense(width, activation="relu")(inputs)',
    'h = layers.Dense(width, activation="relu")(x)',
    'h = layers.Dense(width, kernel_initializer="zeros")(h)',
    'x = layers.Add()([x, h])',
    'outputs = layers.Dense(10, activation="softmax")(x)',
    'model = Model(inputs, outputs)',
  ].join('\n');
  const md = hoverOn(text, '"zeros"');
  assert.ok(md);
  assert.doesNotMatch(md, /output layer/);
  assert.match(md, /fan_in 128 · fan_out 128/);
  // Its links probe it as the hidden layer it is, not as an output layer.
  for (const [, arg] of links(md)) if (typeof arg === 'object' && arg !== null && 'initializer' in arg) assert.equal((arg as { isOutput?: boolean }).isOutput, undefined);
  // The real output layer is still the output layer.
  const out = hoverOn(text.replace('Dense(10, activation="softmax")', 'Dense(10, activation="softmax", kernel_initializer="glorot_uniform")'), '"glorot_uniform"');
  assert.match(out ?? '', /output layer \(softmax\)/);
});

test("Conv2D's probe links say they run a dense stand-in, and the run's title and notes say so too", () => {
  const text = [
    'from tensorflow.keras import layers, models',
    'model = models.Sequential([',
    '    layers.Conv2D(32, 3, activation="relu", kernel_initializer="he_normal", input_shape=(28, 28, 1)),',
    '    layers.Flatten(),',
    '    layers.Dense(10, activation="softmax"),',
    '])',
  ].join('\n');
  const md = hoverOn(text, '"he_normal"');
  assert.ok(md);
  assert.match(md, /not this Conv2D/);
  assert.doesNotMatch(md, /\[\$\(beaker\) Probe with this initializer\]/);
  const probe = links(md).find(([command]) => command === 'initlens.probeWithInitializer');
  assert.ok(probe);
  const args = initializerCommandArgsSchema.parse(probe[1]);
  assert.equal(args.standInFor, 'Conv2D');
  const planned = probeWithInitializer(args, DEFAULT_CONFIG, 't');
  assert.match(planned.title, /a dense stand-in, not the Conv2D at sample:3/);
  assert.match(planned.skipped[0], /^Conv2D \(sample:3\) is not probed/);
  assert.match(compareAlternatives(args, DEFAULT_CONFIG, 't').title, /a dense stand-in, not the Conv2D/);
});

/** Keras' fans for a convolution kernel (keras/src/initializers: compute_fans): receptive field × channels. */
function kerasConvFans(kh: number, kw: number, inChannels: number, filters: number): { fanIn: number; fanOut: number } {
  return { fanIn: kh * kw * inChannels, fanOut: kh * kw * filters };
}

test("a Conv2D's kernel initializer shows its receptive-field fans (Keras' formula) and the std they give", () => {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'workspace', 'mnist_convnet.py'), 'utf8')
    .replace('layers.Conv2D(32, kernel_size=(3, 3), activation="relu")', 'layers.Conv2D(32, kernel_size=(3, 3), activation="relu", kernel_initializer="glorot_uniform")')
    .replace('layers.Conv2D(64, kernel_size=(3, 3), activation="relu")', 'layers.Conv2D(64, kernel_size=(3, 3), activation="relu", kernel_initializer="he_normal")');
  // The second convolution sees the first's 32 channels through a 3×3 window.
  const second = kerasConvFans(3, 3, 32, 64);
  const he = hoverOn(text, '"he_normal"');
  assert.ok(he);
  const heStd = weightStdOrLimit(parseInitializer('he_normal').spec, second.fanIn, second.fanOut).std;
  assert.match(he, new RegExp(`\\*\\*Conv2D\\\\\\(64, 3×3, relu\\\\\\)\\*\\* · line 13 · \`conv2d_1\``));
  assert.ok(he.includes(`receptive field 3×3 · fan_in ${second.fanIn} = 3·3·32 input channels · fan_out ${second.fanOut} = 3·3·64 filters → **std ${formatNumber(heStd)}**`), he);
  assert.equal(formatNumber(heStd), formatNumber(Math.sqrt(2 / 288)));
  assert.match(he, /\$\(pass\) suits this layer's relu/);
  // The first convolution reads the one-channel digits: fan_in 9, fan_out 288; glorot_uniform's limit √(6/(fan_in+fan_out)).
  const first = kerasConvFans(3, 3, 1, 32);
  const glorot = hoverOn(text, '"glorot_uniform"');
  assert.ok(glorot?.includes(`fan_in ${first.fanIn} = 3·3·1 input channels · fan_out ${first.fanOut} = 3·3·32 filters → **limit ±${formatNumber(Math.sqrt(6 / (first.fanIn + first.fanOut)))}**`), glorot);
});

test("an nn.init call on a PyTorch convolution's weight shows the same fans (PyTorch's in_channels·kh·kw agrees)", () => {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'models', 'torch_net.py'), 'utf8').replace(
    'self.fc2 = nn.Linear(128, 10)',
    "self.fc2 = nn.Linear(128, 10)\n        nn.init.kaiming_normal_(self.conv2.weight, nonlinearity='relu')",
  );
  const md = hoverOn(text, 'kaiming_normal_');
  assert.ok(md);
  assert.ok(md.includes(`**nn\\.Conv2d\\(64, 3×3, relu\\)** · line 11 · \`conv2\``), md);
  assert.ok(md.includes(`fan_in 288 = 3·3·32 input channels · fan_out 576 = 3·3·64 filters → **std ${formatNumber(Math.sqrt(2 / 288))}**`), md);
});
