/**
 * The network line of the panel's header and the report for a model as written: the layers as
 * the engine's planner built them (planGraph: the shapes and parameter counts the started event
 * carries), checked against Keras' own model.summary() of its "Simple MNIST convnet".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickSourceGraph } from '../../src/editor/modelRequests';
import { planGraph, toSourceLayout } from '../../src/probe/graph/shapes';
import { describeGraph, describeNetwork } from '../../src/view/network';

function shapeOf(file: string, language: 'python' | 'javascript' = 'python'): Parameters<typeof describeGraph>[0] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8');
  const model = pickSourceGraph(text, language, file);
  const plan = planGraph(model.graph);
  const measured = new Set(plan.measured.map((m) => m.layer));
  return {
    network: plan.layers.map((l) => ({ name: l.spec.name, kind: l.spec.kind, outputShape: toSourceLayout(l.outShape, model.graph.layout), params: l.params })),
    layers: plan.layers
      .filter((l) => measured.has(l.index))
      .map((l) => {
        const m = plan.measured.find((x) => x.layer === l.index)!;
        const s = l.spec;
        return { name: s.name, activation: m.activation, ...(s.kind === 'conv2d' ? { kernelSize: s.kernelSize, channels: [l.inShapes[0][2], s.filters] } : {}) };
      }),
  };
}

test('a convolutional model reads as its layers: kernel × filters, pooled shapes, units, and Keras’ parameter count', () => {
  // Keras' summary: conv2d (26, 26, 32) 320 · max_pooling2d (13, 13, 32) · conv2d_1 (11, 11, 64) 18,496 · … · dense (10) 16,010 — Total params: 34,826.
  assert.equal(
    describeGraph(shapeOf('workspace/mnist_convnet.py')),
    '28×28×1 → conv2d 3×3×32 relu → max_pooling2d 13×13×32 → conv2d_1 3×3×64 relu → max_pooling2d_1 5×5×64 → flatten 1600 → dropout → dense 10 softmax · 34,826 parameters',
  );
});

test('a PyTorch model keeps its channels-first shapes and its module names', () => {
  const text = describeGraph(shapeOf('models/torch_net.py'));
  assert.match(text, /^1×28×28 → conv1 3×3×32 relu → relu → conv2 3×3×64 relu → relu_2 → max_pool2d 64×12×12 → dropout1 → flatten 9216 → fc1 128 relu → relu_3 → dropout2 → fc2 10 softmax → log_softmax · 1,199,882 parameters$/);
});

test('the dense stack is still said by its widths', () => {
  assert.equal(describeNetwork({ hidden: [256, 256, 256], activation: 'relu', steps: 300 }), '784→256×3→10, relu, 300 steps');
});
