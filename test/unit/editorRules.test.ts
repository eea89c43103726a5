/**
 * The five warnings and their quick fixes as pure functions of (text, settings): each fires
 * where the theory says the initializer doesn't fit and stays quiet where it does, each setting
 * turns its rule off, and every fix is written in the file's own style and removes its warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSource } from '../../src/editor/scanner';
import { findProblems, RULE_IDS } from '../../src/editor/rules';
import type { Finding } from '../../src/editor/rules';
import type { SourceLanguage } from '../../src/editor/lexer';
import { lineOf } from '../../src/editor/lexer';
import { predictedGain } from '../../src/probe/initializers/theory';
import { parseInitializer } from '../../src/probe/initializers/parse';

const fixtures = join(__dirname, '..', 'fixtures', 'workspace');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

const ALL_ON = { enabled: true, symmetricKernel: true, heWithSaturating: true, glorotInDeepRelu: true, deepStackDepth: 8, randomScale: true, seluWithoutLecun: true };

function problems(text: string, language: SourceLanguage = 'python', settings = ALL_ON): Finding[] {
  return findProblems(scanSource(text, language), settings);
}

function where(text: string, findings: Finding[]): string[] {
  return findings.map((f) => `${lineOf(scanSource(text, 'python').lineStarts, f.start) + 1}:${f.rule}:${text.slice(f.start, f.end)}`);
}

function applyFix(text: string, finding: Finding): string {
  assert.ok(finding.fix, `${finding.rule} has a fix`);
  const { start, end, newText } = finding.fix.edit;
  return text.slice(0, start) + newText + text.slice(end);
}

function wrap(layers: string, head = "model = keras.Sequential([\n    layers.Flatten(input_shape=(28, 28)),\n"): string {
  return `${head}${layers}    layers.Dense(10, activation='softmax'),\n])\n`;
}

test('the Keras fixture: each rule once, at the written initializer or the layer name', () => {
  const text = read('keras_models.py');
  assert.deepEqual(where(text, problems(text)), [
    "13:heWithSaturating:'he_uniform'",
    '25:randomScale:initializers.RandomNormal(mean=0.0, stddev=0.05)',
    "32:glorotInDeepRelu:'glorot_uniform'",
    '37:seluWithoutLecun:Dense',
    '43:symmetricKernel:initializers.Zeros()',
  ]);
  for (const f of problems(text)) assert.ok(!f.message.includes('\n'), 'one line');
});

test('the seed notebook: only the zeros kernel is wrong for its Dense(128, relu)', () => {
  const text = read('seed_model.py');
  const found = problems(text);
  assert.deepEqual(where(text, found), ['24:symmetricKernel:initializers.Zeros()']);
  assert.equal(found[0].noteId, 'zero-symmetry');
  assert.equal(found[0].fix?.edit.newText, 'initializers.HeNormal()');
});

test('symmetric kernels: zeros, ones and constants on hidden layers, not on the output layer nor biases', () => {
  const text = wrap("    layers.Dense(64, activation='tanh', kernel_initializer='ones', bias_initializer='zeros'),\n    layers.Dense(32, kernel_initializer=initializers.Constant(0.3)),\n").replace("activation='softmax'", "activation='softmax', kernel_initializer='zeros'");
  const found = problems(text).filter((f) => f.rule === 'symmetricKernel');
  assert.deepEqual(found.map((f) => text.slice(f.start, f.end)), ["'ones'", 'initializers.Constant(0.3)']);
  assert.equal(found[0].fix?.edit.newText, "'glorot_normal'", 'tanh gets Glorot');
  assert.equal(found[1].fix?.edit.newText, 'initializers.GlorotNormal()', 'a linear layer gets Glorot too');
});

test('He with tanh or sigmoid warns; He with relu, and PyTorch’s tanh gain, do not', () => {
  const text = wrap("    layers.Dense(64, activation='sigmoid', kernel_initializer='he_normal'),\n    layers.Dense(64, activation='relu', kernel_initializer='he_normal'),\n");
  assert.deepEqual(problems(text).map((f) => f.rule), ['heWithSaturating']);
  const torch = "fc = nn.Linear(784, 64)\nnn.init.kaiming_normal_(fc.weight, nonlinearity='tanh')\ny = torch.tanh(fc(x))\n";
  assert.deepEqual(problems(torch), []);
});

test('Glorot/LeCun with ReLU warns from deepStackDepth consecutive ReLU-family layers, on every one of them', () => {
  const layer = (i: number): string => `    layers.Dense(128, activation='${i % 2 ? 'relu' : 'elu'}', kernel_initializer='${i === 3 ? 'lecun_normal' : 'glorot_normal'}'),\n`;
  const seven = wrap(Array.from({ length: 7 }, (_, i) => layer(i)).join(''));
  assert.deepEqual(problems(seven), [], 'seven layers are below the default depth 8');
  const eight = wrap(Array.from({ length: 8 }, (_, i) => layer(i)).join(''));
  const found = problems(eight);
  assert.equal(found.length, 8);
  assert.ok(found.every((f) => f.rule === 'glorotInDeepRelu'));
  assert.match(found[0].message, /in a stack of 8 ReLU-family layers: each scales the signal by about 0\.64, so 0\.64\^8 ≈ 0\.030 of it reaches the last one/);
  assert.deepEqual(problems(eight, 'python', { ...ALL_ON, deepStackDepth: 9 }), []);
  assert.deepEqual(problems(eight, 'python', { ...ALL_ON, glorotInDeepRelu: false }), []);
});

test('a deep stack of Keras defaults warns at the layer and fixes by adding the argument', () => {
  const text = "model = keras.Sequential()\nmodel.add(keras.Input(shape=(784,)))\nfor _ in range(8):\n    model.add(layers.Dense(100, activation='relu'))\nmodel.add(layers.Dense(10, activation='softmax'))\n";
  const [f] = problems(text);
  assert.equal(f.rule, 'glorotInDeepRelu');
  assert.equal(text.slice(f.start, f.end), 'Dense');
  assert.match(f.message, /^glorot_uniform \(Keras' default\) with relu in a stack of 8/);
  const fixed = applyFix(text, f);
  assert.match(fixed, /layers\.Dense\(100, activation='relu', kernel_initializer='he_normal'\)/);
  assert.deepEqual(problems(fixed), []);
});

test('RandomNormal/RandomUniform: warns exactly when the predicted gain leaves [0.5, 2]', () => {
  const spec = parseInitializer('RandomNormal(stddev=0.05)').spec;
  assert.ok(predictedGain(spec, 'relu', 784, 128) > 0.5, 'fine on 784 inputs');
  assert.ok(predictedGain(spec, 'relu', 128, 64) < 0.5, 'too small on 128');
  const text = wrap(
    "    layers.Dense(128, activation='relu', kernel_initializer=initializers.RandomNormal(stddev=0.05)),\n    layers.Dense(64, activation='relu', kernel_initializer=initializers.RandomNormal(stddev=0.05)),\n    layers.Dense(64, activation='tanh', kernel_initializer=initializers.RandomUniform(-1, 1)),\n",
  );
  const found = problems(text);
  assert.deepEqual(where(text, found).map((w) => w.replace(/:initializers.*/, '')), ['4:randomScale', '5:randomScale']);
  assert.match(found[0].message, /Dense\(64, relu\) with fan_in 128: predicted signal gain 0\.16 per layer, outside \[0\.5, 2\]; its fixed scale suits fan_in ≈ 800/);
  assert.match(found[1].message, /RandomUniform\(minval=-1\.0, maxval=1\.0\) in Dense\(64, tanh\) with fan_in 64: predicted signal gain 8\.41 per layer/);
});

test('SELU without lecun_normal: Keras default, tfjs default and PyTorch default warn; LeCun normal in any library does not', () => {
  const keras = wrap("    layers.Dense(64, activation='selu'),\n    layers.Dense(64, activation='selu', kernel_initializer='lecun_normal'),\n");
  assert.deepEqual(problems(keras).map((f) => [f.rule, keras.slice(f.start, f.end)]), [['seluWithoutLecun', 'Dense']]);
  const torchText = 'class Net(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(784, 64)\n        self.fc2 = nn.Linear(64, 64)\n        nn.init.kaiming_normal_(self.fc2.weight, nonlinearity=\'linear\')\n\n    def forward(self, x):\n        return F.selu(self.fc2(F.selu(self.fc(x))))\n';
  const [f] = problems(torchText);
  assert.equal(f.rule, 'seluWithoutLecun');
  assert.match(f.message, /^kaiming_uniform_\(a=√5\) \(nn\.Linear's default\) with selu in Linear\(784, 64\)/);
  const fixed = applyFix(torchText, f);
  assert.ok(fixed.includes("        self.fc = nn.Linear(784, 64)\n        nn.init.kaiming_normal_(self.fc.weight, nonlinearity='linear')\n        self.fc2"));
  assert.deepEqual(problems(fixed), []);
  const tfjs = read('tfjs_model.ts');
  const tf = problems(tfjs, 'javascript').find((x) => x.rule === 'seluWithoutLecun');
  assert.equal(tf?.fix?.edit.newText, ", kernelInitializer: 'leCunNormal'");
});

test('fixes keep the file’s style: Keras string and class, tfjs string and call, PyTorch with its tensor', () => {
  const cases: [string, SourceLanguage, string, string][] = [
    ["Dense(64, activation='tanh', kernel_initializer=\"he_normal\")", 'python', '"he_normal"', '"glorot_normal"'],
    ["Dense(64, activation='tanh', kernel_initializer=tf.keras.initializers.HeNormal(seed=7))", 'python', 'tf.keras.initializers.HeNormal(seed=7)', 'tf.keras.initializers.GlorotNormal(seed=7)'],
    ["Dense(64, activation='tanh', kernel_initializer=HeUniform())", 'python', 'HeUniform()', 'GlorotNormal()'],
    ["tf.layers.dense({units: 64, activation: 'tanh', kernelInitializer: 'heUniform'})", 'javascript', "'heUniform'", "'glorotNormal'"],
    ["tf.layers.dense({units: 64, activation: 'sigmoid', kernelInitializer: tf.initializers.heNormal({seed: 3})})", 'javascript', 'tf.initializers.heNormal({seed: 3})', 'tf.initializers.glorotNormal({seed: 3})'],
    ["self.fc = nn.Linear(32, 64)\ntorch.nn.init.kaiming_uniform_(self.fc.weight)\nh = torch.sigmoid(self.fc(x))", 'python', 'torch.nn.init.kaiming_uniform_(self.fc.weight)', 'torch.nn.init.xavier_normal_(self.fc.weight)'],
  ];
  for (const [text, language, written, replacement] of cases) {
    const found = problems(text, language);
    assert.equal(found.length, 1, text);
    assert.equal(text.slice(found[0].start, found[0].end), written);
    assert.equal(found[0].fix?.edit.newText, replacement, text);
    assert.deepEqual(problems(applyFix(text, found[0]), language), [], `fixed: ${text}`);
  }
});

test('PyTorch relu fix writes kaiming_normal_(…, nonlinearity=\'relu\') keeping the tensor argument', () => {
  const text = read('torch_model.py');
  const f = problems(text).find((x) => x.rule === 'randomScale');
  assert.equal(f?.fix?.edit.newText, "nn.init.kaiming_normal_(net[0].weight, nonlinearity='relu')");
});

test('inserting into calls with trailing commas and empty config objects', () => {
  const text = "x = layers.Dense(\n    64,\n    activation='selu',\n)(inputs)\n";
  const fixed = applyFix(text, problems(text)[0]);
  assert.equal(fixed, "x = layers.Dense(\n    64,\n    activation='selu', kernel_initializer='lecun_normal',\n)(inputs)\n");
  const js = "const l = tf.layers.dense({ units: 8, activation: 'selu' });";
  assert.equal(applyFix(js, problems(js, 'javascript')[0]), "const l = tf.layers.dense({ units: 8, activation: 'selu', kernelInitializer: 'leCunNormal' });");
});

test('diagnostics.enabled off, or every rule off, means no warnings', () => {
  const text = read('keras_models.py');
  assert.deepEqual(problems(text, 'python', { ...ALL_ON, enabled: false }), []);
  const off = Object.fromEntries(RULE_IDS.map((r) => [r, false]));
  assert.deepEqual(problems(text, 'python', { ...ALL_ON, ...off }), []);
});

test('a variable with several values is judged for each; an unresolved one is left alone', () => {
  const text = "def build(init):\n    return keras.Sequential([layers.Dense(64, activation='tanh', input_shape=(784,), kernel_initializer=init), layers.Dense(10, activation='softmax')])\n\nbuild('he_normal')\nbuild('glorot_normal')\nbuild(some_variable)\n";
  const found = problems(text);
  assert.deepEqual(found.map((f) => text.slice(f.start, f.end)), ["'he_normal'"]);
});
