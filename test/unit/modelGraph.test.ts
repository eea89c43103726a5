/**
 * Models as written in source files → the layer graph the probe builds: every source form the
 * issue names, parameter counts equal to the framework's own (worked out by hand below from
 * each framework's formula), and refusals that list what can't be built with its line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/probe/tfjs';
import { buildGraph, disposeGraph, parameterCount } from '../../src/probe/graph/model';
import { sourceGraphs } from '../../src/editor/modelGraph';
import { graphForCandidate, pickSourceGraph } from '../../src/editor/modelRequests';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'models', name), 'utf8');

// Conv2D / nn.Conv2d: kh·kw·c_in·filters weights + filters biases. Dense / nn.Linear: in·out + out.
// Keras BatchNormalization: γ, β, moving mean, moving variance = 4·channels (count_params()).
const conv = (k: number, cin: number, f: number, bias = true): number => k * k * cin * f + (bias ? f : 0);
const dense = (i: number, o: number): number => i * o + o;

const expected: [string, 'python' | 'javascript', number, string][] = [
  // Keras' "Simple MNIST convnet" prints Total params: 34,826.
  ['keras_conv_mnist.py', 'python', conv(3, 1, 32) + conv(3, 32, 64) + dense(5 * 5 * 64, 10), 'input 28×28×1 → conv2d 26×26×32 → max_pooling2d 13×13×32 → conv2d_1 11×11×64 → max_pooling2d_1 5×5×64 → flatten 1600 → dropout 1600 → dense 10'],
  // pytorch/examples mnist Net: sum(p.numel() for p in model.parameters()) = 1,199,882.
  ['torch_net.py', 'python', conv(3, 1, 32) + conv(3, 32, 64) + dense(9216, 128) + dense(128, 10), 'input 1×28×28 → conv1 32×26×26 → relu 32×26×26 → conv2 64×24×24 → relu_2 64×24×24 → max_pool2d 64×12×12 → dropout1 64×12×12 → flatten 9216 → fc1 128 → relu_3 128 → dropout2 128 → fc2 10 → log_softmax 10'],
  ['keras_residual.py', 'python', conv(3, 1, 16, false) + 4 * 16 + conv(3, 16, 16, false) + 4 * 16 + conv(3, 16, 16, false) + 4 * 16 + dense(16, 10), ''],
  // tfjs-examples mnist createConvModel: 28 → 26 → 13 → 11 → 5 → 3, flatten 3·3·32.
  ['tfjs_conv.js', 'javascript', conv(3, 1, 16) + conv(3, 16, 32) + conv(3, 32, 32) + dense(3 * 3 * 32, 64) + dense(64, 10), ''],
  // Helper functions called in a `for i in range(2)` loop: each residual block is conv_block (a
  // bias-free Conv2D, BatchNormalization, ReLU), a Conv2D and an Add; 28 → 14 (strides 2) → 7 (pooling).
  [
    'keras_blocks.py',
    'python',
    conv(3, 1, 8) + 2 * (conv(3, 8, 8, false) + 4 * 8 + conv(3, 8, 8)) + dense(7 * 7 * 8, 10),
    'inputs 28×28×1 → conv2d 14×14×8 → conv2d_1 14×14×8 → batch_normalization 14×14×8 → re_lu 14×14×8 → conv2d_2 14×14×8 → add 14×14×8 → activation 14×14×8 → conv2d_3 14×14×8 → batch_normalization_1 14×14×8 → re_lu_1 14×14×8 → conv2d_4 14×14×8 → add_1 14×14×8 → activation_1 14×14×8 → max_pooling2d 7×7×8 → flatten 392 → dense 10',
  ],
  // tf.input → layer.apply(…) → tf.model: 28 → 26 → 13, a same-padded branch concatenated (8 + 8 channels).
  ['tfjs_functional.js', 'javascript', conv(3, 1, 8) + conv(3, 8, 8) + dense(13 * 13 * 16, 10), 'input 28×28×1 → conv2d 26×26×8 → max_pooling2d 13×13×8 → conv2d_1 13×13×8 → concatenate 13×13×16 → flatten 2704 → dense 10'],
  // A top-level nn.Sequential; PyTorch's parameters() counts BatchNorm2d's weight and bias (2·32), not its running statistics.
  [
    'torch_sequential.py',
    'python',
    conv(3, 1, 16) + conv(3, 16, 32) + 2 * 32 + dense(32 * 7 * 7, 10),
    'input 1×28×28 → model.0 16×28×28 → model.1 16×28×28 → model.2 16×14×14 → model.3 32×14×14 → model.4 32×14×14 → model.5 32×14×14 → model.6 32×7×7 → model.7 1568 → model.8 1568 → model.9 10',
  ],
];

for (const [file, language, params, shape] of expected) {
  test(`model as written: ${file} builds with the framework's parameter count`, async () => {
    await selectBackend('cpu');
    const model = pickSourceGraph(fixture(file), language, file);
    const graph = buildGraph(model.graph, { defaultInitializer: 'glorot_uniform', seed: 1, runId: file });
    try {
      assert.equal(parameterCount(graph), params);
      if (shape) {
        const described = graph.layers.map((l) => `${l.spec.name} ${(model.graph.layout === 'channels_first' && l.outShape.length === 3 ? [l.outShape[2], l.outShape[0], l.outShape[1]] : l.outShape).join('×')}`).join(' → ');
        assert.equal(described, shape);
      }
    } finally {
      disposeGraph(graph);
    }
  });
}

test('model as written: the residual block is a DAG with an Add of the shortcut and the branch', () => {
  const model = pickSourceGraph(fixture('keras_residual.py'), 'python', 'keras_residual.py');
  const add = model.graph.layers.find((l) => l.kind === 'add')!;
  assert.deepEqual(add.inputs, ['activation', 'batch_normalization_2']);
  const bn = model.graph.layers.find((l) => l.name === 'batch_normalization_2');
  assert.equal(bn?.kind === 'batch_normalization' && bn.gammaInitializer, 'zeros');
  assert.deepEqual(model.writtenKernels, ['conv2d_1']);
  // Compare: unwritten kernels take the candidate, the written he_normal and the output layer keep theirs.
  const swapped = graphForCandidate(model);
  const init = (name: string): string | undefined => {
    const l = swapped.layers.find((x) => x.name === name);
    return l && (l.kind === 'conv2d' || l.kind === 'dense') ? l.kernelInitializer : 'n/a';
  };
  assert.equal(init('conv2d'), undefined);
  assert.equal(init('conv2d_1'), 'he_normal');
  assert.equal(init('dense'), 'glorot_uniform');
});

test('model as written: PyTorch in_features that disagree with the network are refused with both numbers', async () => {
  await selectBackend('cpu');
  const text = fixture('torch_net.py').replace('nn.Linear(9216, 128)', 'nn.Linear(4096, 128)');
  const model = pickSourceGraph(text, 'python', 'net.py');
  assert.throws(() => buildGraph(model.graph, { defaultInitializer: 'he_normal', seed: 1, runId: 'bad' }), /fc1 \(line \d+\): is written for 4096 input features, but its input has shape \(9216\)/);
});

test('model as written: layers the probe cannot build are listed with their lines, and the model is refused', () => {
  const text = [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'model = keras.Sequential([',
    '    layers.Embedding(1000, 64),',
    '    layers.LSTM(128),',
    '    layers.Dense(10, activation="softmax"),',
    '])',
  ].join('\n');
  const [g] = sourceGraphs(text, 'python');
  assert.equal(g.graph, undefined);
  assert.deepEqual(g.unsupported, ['Embedding (line 4): the probe does not build this layer', 'LSTM (line 5): the probe does not build this layer']);
  assert.throws(() => pickSourceGraph(text, 'python', 'rnn.py'), /model \(rnn\.py:3\) can't be probed as written: Embedding \(line 4\).*; LSTM \(line 5\)/);
});

test('model as written: a PyTorch forward with a loop is refused, naming the line', () => {
  const text = [
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    'class Deep(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.fc = nn.Linear(784, 10)',
    '    def forward(self, x):',
    '        for _ in range(3):',
    '            x = torch.sigmoid(x)',
    '        return self.fc(x)',
  ].join('\n');
  const g = sourceGraphs(text, 'python').find((m) => m.name === 'Deep')!;
  assert.equal(g.graph, undefined);
  assert.match(g.unsupported.join(), /line 8/);
});

test('model as written: no model, several models, an unknown name', () => {
  assert.throws(() => pickSourceGraph('x = 1\n', 'python', 'empty.py'), /no model found in empty\.py/);
  const two = fixture('keras_conv_mnist.py') + '\nother = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10)])\n';
  assert.throws(() => pickSourceGraph(two, 'python', 'two.py'), /two\.py has 2 models: model \(line 8\), other \(line \d+\); name one as two\.py:NAME/);
  assert.equal(pickSourceGraph(two, 'python', 'two.py', 'other').graph.layers.map((l) => l.kind).join(), 'input,flatten,dense');
  assert.throws(() => pickSourceGraph(two, 'python', 'two.py', 'nope'), /no model 'nope' in two\.py; found model \(line 8\), other/);
});

test('model as written: Keras helper functions and literal loops are unrolled; conditions, while loops and non-literal bounds around layers are refused with their lines', () => {
  const head = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n\n';
  const body = (middle: string): string =>
    `${head}def block(x, units=64):\n    h = layers.Dense(units, activation="relu")(x)\n    return layers.Dense(units)(h)\n\ninputs = keras.Input(shape=(784,))\nx = layers.Dense(64)(inputs)\n${middle}outputs = layers.Dense(10, activation="softmax")(x)\nmodel = keras.Model(inputs, outputs)\n`;
  // A list loop and a keyword default: two blocks of 64, then one of 32 by keyword.
  const ok = sourceGraphs(body('for width in [64, 64]:\n    x = block(x, width)\nx = block(x, units=32)\n'), 'python');
  assert.equal(ok.length, 1);
  assert.deepEqual(ok[0].unsupported, []);
  const units = ok[0].graph!.layers.flatMap((l) => (l.kind === 'dense' ? [l.units] : []));
  assert.deepEqual(units, [64, 64, 64, 64, 64, 32, 32, 10]);
  // A module-level constant bound, and a helper called inside a merge's input list.
  const constantBound = sourceGraphs(body('depth = 3\nfor i in range(depth):\n    x = layers.Add()([x, block(x)])\n'), 'python')[0];
  assert.deepEqual(constantBound.unsupported, []);
  assert.equal(constantBound.graph!.layers.filter((l) => l.kind === 'add').length, 3);

  const refused = (middle: string): string[] => sourceGraphs(body(middle), 'python')[0].unsupported;
  assert.match(refused('for i in range(n):\n    x = block(x)\n').join('; '), /^for loop \(line 10\): its bounds \(range\(n\)\) are not literals/);
  assert.match(refused('if deep:\n    x = block(x)\n').join('; '), /^'if' block \(line 10\): layers built under a condition/);
  assert.match(refused('while x.shape[-1] > 10:\n    x = block(x)\n').join('; '), /^'while' block \(line 10\)/);
  // A helper's tensor argument must be one this file builds.
  assert.match(refused('x = block(y)\n').join('; '), /^y \(line 10\): not a tensor this file builds/);
});

test('model as written: training loops, conditions and helpers that build no layer are not refused', () => {
  const text =
    'from tensorflow import keras\nfrom tensorflow.keras import layers\n\n\ndef train(model, epochs):\n    for epoch in range(100000):\n        model.fit(x, y)\n\n\ninputs = keras.Input(shape=(784,))\nx = layers.Dense(64, activation="relu")(inputs)\noutputs = layers.Dense(10, activation="softmax")(x)\nmodel = keras.Model(inputs, outputs)\nif True:\n    train(model, 3)\nfor step in range(1000000):\n    print(step)\n';
  const [model] = sourceGraphs(text, 'python');
  assert.deepEqual(model.unsupported, []);
  assert.equal(model.graph!.layers.length, 3);
});

test('model as written: a function that builds a Keras functional model but is never called here is still read', () => {
  const text = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n\n\ndef build(width=32):\n    inputs = keras.Input(shape=(784,))\n    x = layers.Dense(width, activation="relu")(inputs)\n    outputs = layers.Dense(10, activation="softmax")(x)\n    return keras.Model(inputs, outputs)\n';
  const [model] = sourceGraphs(text, 'python');
  assert.equal(model.name, 'build');
  assert.deepEqual(
    model.graph!.layers.map((l) => l.kind),
    ['input', 'dense', 'dense'],
  );
});

test('model as written: tfjs tf.model and a top-level nn.Sequential refuse what they cannot build, with its line', () => {
  const js = "const input = tf.input({shape: [28, 28, 1]});\nlet x = tf.layers.conv2d({filters: 8, kernelSize: 3}).apply(input);\nx = tf.layers.lstm({units: 8}).apply(x);\nconst out = tf.layers.dense({units: 10, activation: 'softmax'}).apply(x);\nconst model = tf.model({inputs: input, outputs: out});\n";
  const [tfjs] = sourceGraphs(js, 'javascript');
  assert.equal(tfjs.graph, undefined);
  assert.match(tfjs.unsupported.join('; '), /^lstm \(line 3\): the probe does not build this layer/);
  const py = 'import torch.nn as nn\n\nnet = nn.Sequential(\n    nn.Embedding(1000, 64),\n    nn.LSTM(64, 128),\n    nn.Linear(128, 10),\n)\n';
  const [torch] = sourceGraphs(py, 'python');
  assert.equal(torch.name, 'net');
  assert.deepEqual(torch.unsupported, ['nn.Embedding (line 4): the probe does not build this layer', 'nn.LSTM (line 5): the probe does not build this layer']);
  // Activation modules whose arguments change the function are refused, not built with the defaults.
  const acts = sourceGraphs('import torch.nn as nn\n\nnet = nn.Sequential(\n    nn.Flatten(),\n    nn.Linear(784, 64),\n    nn.ELU(alpha=0.5),\n    nn.GELU(approximate="tanh"),\n    nn.ReLU(inplace=True),\n    nn.Linear(64, 10),\n)\n', 'python')[0];
  assert.deepEqual(acts.unsupported, ["nn.ELU (line 6): alpha=0.5 (the probe's elu has alpha 1)", "nn.GELU (line 7): argument 'approximate' is not built"]);
});
