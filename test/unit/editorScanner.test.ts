/**
 * The scanner on code written like the seed notebook and like real Keras, TensorFlow.js and
 * PyTorch: which text is an initializer, which layer it initializes, with what fans and which
 * activation, and which Sequential models there are. Includes the awkward cases: comments,
 * strings, multi-line calls, nested parentheses, notebook magics, half-typed code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { scanSource } from '../../src/editor/scanner';
import type { LayerDef, SourceModel } from '../../src/editor/sourceModel';
import { tokenize } from '../../src/editor/lexer';

const fixtures = join(__dirname, '..', 'fixtures', 'workspace');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function siteTexts(model: SourceModel): string[] {
  return model.sites.map((s) => s.written);
}

function dense(model: SourceModel): LayerDef[] {
  return model.layers.filter((l) => l.role === 'dense');
}

function kernelOf(model: SourceModel, layer: LayerDef): string[] {
  const k = layer.kernel;
  if (k.kind === 'site') return [model.sites[k.site].written];
  if (k.kind === 'variable') return k.sites.map((s) => model.sites[s].written);
  return [`default:${k.text}`];
}

test('lexer: comments, strings, triple quotes, f-strings and IPython magics are not code', () => {
  const src = [
    '%matplotlib inline',
    '!pip install tensorflow',
    '# kernel_initializer="he_normal"',
    'doc = """Dense(128, kernel_initializer=\'zeros\')',
    'still the docstring"""',
    "x = f'{he_normal}'",
    'y = rb"he_normal" # tail',
  ].join('\n');
  const { tokens } = tokenize(src, 'python');
  assert.deepEqual(
    tokens.map((t) => t.kind),
    ['name', 'punct', 'string', 'name', 'punct', 'string', 'name', 'punct', 'string'],
  );
  assert.equal(tokens[2].value, "Dense(128, kernel_initializer='zeros')\nstill the docstring");
  assert.equal(tokens[5].value, undefined, 'an f-string with a hole has no fixed value');
});

test('lexer: JavaScript comments, templates and regular expressions are not code', () => {
  const src = "/* 'he_normal' */ const r = /['\"]/g; // kernelInitializer: 'zeros'\nconst t = `a ${'b'} c`; const d = 4 / 2;";
  const { tokens } = tokenize(src, 'javascript');
  const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.text);
  assert.deepEqual(strings, ["/['\"]/g", "`a ${'b'} c`"]);
  assert.ok(tokens.some((t) => t.text === '/' && t.kind === 'punct'), 'a division stays a division');
});

test('lexer: brackets match across lines and unbalanced text still tokenizes', () => {
  const { tokens, partner } = tokenize('f(a, [b, {c: (d)}]\n', 'javascript');
  const open = tokens.findIndex((t) => t.text === '[');
  assert.equal(tokens[partner[open]].text, ']');
  assert.equal(partner[tokens.findIndex((t) => t.text === '(')], -1, 'the unclosed ( has no partner');
});

test('seed notebook style: a function parameter resolves to every caller’s initializer', () => {
  const model = scanSource(read('seed_model.py'), 'python');
  assert.deepEqual(siteTexts(model), [
    'initializers.Zeros()',
    'initializers.RandomNormal(mean=0.0, stddev=0.05)',
    'initializers.GlorotNormal()',
    'initializers.HeNormal()',
  ]);
  const [hidden, output] = dense(model);
  assert.deepEqual(hidden.fans, [{ fanIn: 784, fanOut: 128 }]);
  assert.equal(hidden.activation, 'relu');
  assert.deepEqual(kernelOf(model, hidden), siteTexts(model));
  assert.equal(hidden.isOutput, false);
  assert.deepEqual(kernelOf(model, output), ['default:glorot_uniform']);
  assert.equal(output.isOutput, true);
  for (const site of model.sites) assert.deepEqual(site.layers, [hidden.id]);
  assert.equal(model.models.length, 1);
  assert.equal(model.models[0].functionName, 'create_and_train_model');
});

test('Keras: strings, class calls, VarianceScaling; comments and plain strings are not sites', () => {
  const model = scanSource(read('keras_models.py'), 'python');
  const texts = siteTexts(model);
  assert.ok(!texts.some((t) => t.includes('he_normal"')), 'a plain string is no site');
  assert.equal(texts.filter((t) => t === "'he_normal'").length, 2);
  const byText = (t: string) => model.sites.find((s) => s.written === t);
  assert.equal(byText('"zeros"')?.role, 'bias');
  assert.equal(byText('tf.keras.initializers.GlorotUniform(seed=42)')?.seedText, '42');
  assert.equal(byText('tf.keras.initializers.GlorotUniform(seed=42)')?.prefix, 'tf.keras.initializers.');
  const vs = byText("keras.initializers.VarianceScaling(scale=2., mode='fan_out', distribution='uniform')");
  assert.deepEqual(vs?.parsed?.spec, { kind: 'variance_scaling', scale: 2, mode: 'fan_out', distribution: 'uniform' });
});

test('Keras: fans flow through Flatten, Input, functional variables and multi-line calls', () => {
  const model = scanSource(read('keras_models.py'), 'python');
  const fans = dense(model).map((l) => `${l.type}(${l.units}) ${l.fans.map((f) => `${f.fanIn}→${f.fanOut}`).join('|')} ${l.activation}${l.isOutput ? ' out' : ''}`);
  assert.deepEqual(fans.slice(0, 8), [
    'Dense(128) 784→128 relu',
    'Dense(64) 128→64 tanh',
    'Dense(10) 64→10 softmax out',
    'Dense(256) 784→256 relu',
    'Dense(256) 256→256 relu',
    'Dense(64) 256→64 relu',
    'Dense(10) 64→10 softmax out',
    'Dense(256) 784→256|256→256 relu',
  ]);
});

test('Keras: model.add inside for _ in range(10) repeats the layer, and deep runs are counted', () => {
  const model = scanSource(read('keras_models.py'), 'python');
  const deep = model.models.find((m) => m.variable === 'deep');
  assert.ok(deep);
  assert.equal(deep.layers.length, 12);
  const repeated = model.layers[deep.layers[1]];
  assert.equal(repeated.reluRun, 10);
  assert.equal(model.layers[deep.layers[11]].isOutput, true);
});

test('Keras: list comprehensions and list arithmetic in Sequential', () => {
  const src = [
    'model = keras.Sequential(',
    '    [layers.Flatten(input_shape=(28, 28))]',
    "    + [layers.Dense(512, activation='relu') for _ in range(3)]",
    "    + [layers.Dense(64, activation='relu')] * 2",
    "    + [layers.Dense(10, activation='softmax')]",
    ')',
  ].join('\n');
  const model = scanSource(src, 'python');
  assert.equal(model.models[0].layers.length, 7);
  const units = model.models[0].layers.map((id) => model.layers[id].units ?? '-');
  assert.deepEqual(units, ['-', 512, 512, 512, 64, 64, 10]);
  assert.deepEqual(model.layers[model.models[0].layers[1]].fans, [{ fanIn: 784, fanOut: 512 }, { fanIn: 512, fanOut: 512 }]);
  assert.equal(model.layers[model.models[0].layers[1]].reluRun, 5);
});

test('Keras: Activation layers give the Dense before them its activation; constants resolve', () => {
  const src = [
    'HIDDEN = 300',
    "ACT = 'tanh'",
    'model = Sequential()',
    'model.add(Dense(HIDDEN, input_dim=784))',
    "model.add(Activation('relu'))",
    'model.add(Dense(100, activation=ACT))',
    'model.add(layers.LeakyReLU())',
    'model.add(Dense(10))',
    "model.add(Activation('softmax'))",
  ].join('\n');
  const model = scanSource(src, 'python');
  const d = dense(model);
  assert.deepEqual(
    d.map((l) => [l.units, l.fans[0], l.activation, l.activationFrom]),
    [
      [300, { fanIn: 784, fanOut: 300 }, 'relu', 'layer'],
      [100, { fanIn: 300, fanOut: 100 }, 'tanh', 'argument'],
      [10, { fanIn: 100, fanOut: 10 }, 'softmax', 'layer'],
    ],
  );
});

test('Keras: a variable initializer resolves to its assignment; nested parentheses and keyword order', () => {
  const src = [
    'init = tf.keras.initializers.HeUniform(seed=(1 + 2))',
    'x = layers.Dense(units=(64), kernel_initializer=init, activation=tf.nn.relu)(inputs)',
  ].join('\n');
  const model = scanSource(src, 'python');
  const [layer] = dense(model);
  assert.equal(layer.units, 64);
  assert.equal(layer.activation, 'relu');
  assert.deepEqual(kernelOf(model, layer), ['tf.keras.initializers.HeUniform(seed=(1 + 2))']);
  assert.equal(model.sites[0].role, 'kernel');
});

test('TensorFlow.js: config objects, strings and tf.initializers calls', () => {
  const model = scanSource(read('tfjs_model.ts'), 'javascript');
  assert.deepEqual(siteTexts(model), ["'heNormal'", "'heNormal'", 'tf.initializers.glorotNormal({})']);
  assert.equal(model.sites[0].style, 'tfjs-string');
  assert.equal(model.sites[0].parsed?.spec.kind, 'variance_scaling');
  assert.equal(model.sites[2].style, 'tfjs-call');
  const d = dense(model);
  assert.deepEqual(d.map((l) => l.fans[0]), [
    { fanIn: 784, fanOut: 128 },
    { fanIn: 128, fanOut: 64 },
    { fanIn: 64, fanOut: 10 },
    { fanIn: 784, fanOut: 256 },
    { fanIn: 256, fanOut: 10 },
  ]);
  assert.deepEqual(kernelOf(model, d[3]), ['default:glorotNormal']);
  assert.deepEqual(model.models.map((m) => [m.framework, m.variable, m.layers.length]), [
    ['tfjs', 'model', 3],
    ['tfjs', 'chained', 3],
  ]);
});

test('TypeScript: annotated declarations and model.add chains', () => {
  const src = [
    'const hidden: number = 64;',
    'const model: tf.Sequential = tf.sequential();',
    "model.add(tf.layers.dense({ units: hidden, inputShape: [784], activation: 'relu', kernelInitializer: 'heNormal' }));",
    "model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));",
  ].join('\n');
  const model = scanSource(src, 'javascript');
  assert.equal(model.models[0].variable, 'model');
  assert.equal(model.models[0].layers.length, 2);
  assert.deepEqual(dense(model).map((l) => l.fans[0]), [{ fanIn: 784, fanOut: 64 }, { fanIn: 64, fanOut: 10 }]);
});

test('PyTorch: nn.init on self.fc.weight finds the Linear, its fans and its activation in forward()', () => {
  const model = scanSource(read('torch_model.py'), 'python');
  const d = dense(model);
  assert.deepEqual(
    d.map((l) => [l.fans[0].fanIn, l.fans[0].fanOut, l.activation ?? '?', kernelOf(model, l)[0]]),
    [
      [784, 128, 'relu', "nn.init.kaiming_normal_(self.fc1.weight, nonlinearity='relu')"],
      [128, 64, 'tanh', "nn.init.kaiming_normal_(self.fc2.weight, nonlinearity='relu')"],
      [64, 10, '?', 'nn.init.xavier_uniform_(self.out.weight)'],
      [784, 256, 'relu', 'nn.init.normal_(net[0].weight, std=0.01)'],
      [256, 10, '?', 'nn.init.constant_(net[2].weight, 0.5)'],
    ],
  );
  assert.equal(model.sites.find((s) => s.tensor === 'self.fc1.bias')?.role, 'bias');
  assert.equal(d[2].isOutput, true);
  assert.equal(d[4].isOutput, true);
  assert.equal(model.models.length, 0, 'nn.Sequential is not a Keras model to probe');
});

test('PyTorch: a Linear without nn.init has nn.Linear’s default and an insertion point for a fix', () => {
  const src = ['class Net(nn.Module):', '    def __init__(self):', '        self.fc = nn.Linear(10, 20)', '', '    def forward(self, x):', '        return F.selu(self.fc(x))'].join('\n');
  const model = scanSource(src, 'python');
  const [layer] = dense(model);
  assert.equal(layer.activation, 'selu');
  assert.deepEqual(kernelOf(model, layer), ['default:nn.init.kaiming_uniform_(w, a=math.sqrt(5))']);
  assert.deepEqual(layer.torchInsert, { offset: src.indexOf('\n\n'), indent: '        ', prefix: 'nn.init.', module: 'self.fc' });
});

test('notebook cells: magics don’t break scanning', () => {
  const cell = "%load_ext autoreload\n!ls\nmodel = models.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(128, activation='relu', kernel_initializer='he_normal'), layers.Dense(10, activation='softmax')])";
  const model = scanSource(cell, 'python');
  assert.deepEqual(dense(model)[0].fans, [{ fanIn: 784, fanOut: 128 }]);
});

test('half-typed code: unterminated strings and brackets still scan', () => {
  const src = "model = keras.Sequential([\n    layers.Dense(128, activation='relu', kernel_initializer='he_nor\n    layers.Dense(10, kernel_initializer=initializers.HeNormal(";
  const model = scanSource(src, 'python');
  const open = model.sites.find((s) => s.written.startsWith('initializers.HeNormal('));
  assert.equal(open?.error, "unbalanced brackets: '(' is never closed");
  assert.equal(dense(model).length, 2);
});

test('unknown initializer names under initializers. give a one-line reason', () => {
  const model = scanSource('w = initializers.HeNormall()\n', 'python');
  assert.match(model.sites[0].error ?? '', /^unknown initializer 'initializers\.HeNormall' — did you mean HeNormal/);
  assert.ok(!(model.sites[0].error ?? '').includes('\n'));
});

test('generic names stay generic: np.zeros, torch.ones, nn.Identity, self.init are not initializers', () => {
  const src = 'a = np.zeros(3)\nb = torch.ones(2)\nc = nn.Identity()\nself.init(x)\nd = zeros(4)\ne = Identity()';
  assert.deepEqual(scanSource(src, 'python').sites, []);
});

test('any text scans without throwing (property)', () => {
  const pieces = ['Dense(', 'layers.', 'kernel_initializer=', "'he_normal'", 'initializers.HeNormal()', ')', ']', '[', '{', '}', ',', '\n', '    ', '#', '"""', "'", '`', '/', '*', 'for _ in range(3):', 'def f(x):', 'model.add(', 'nn.init.kaiming_normal_(', 'self.fc1.weight', 'Sequential(', '=', ':', '%', '!', '\\'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), fc.boolean(), (parts, python) => {
      const m = scanSource(parts.join(''), python ? 'python' : 'javascript');
      for (const s of m.sites) assert.ok(s.start <= s.end);
    }),
    { numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      scanSource(text, 'python');
      scanSource(text, 'javascript');
    }),
    { numRuns: 300 },
  );
});
