/** The PyTorch model sites the CodeLens offers to probe, on real fixture files and edge cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTorchModels } from '../../src/editor/torchModels';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'pytorch', name), 'utf8');

test('torch models: an nn.Module subclass, a builder that loops, and the fault fixtures', () => {
  assert.deepEqual(findTorchModels(fixture('convnet.py')), [{ name: 'ConvNet', kind: 'class', line: 6 }]);
  assert.deepEqual(findTorchModels(fixture('deep_tanh.py')), [{ name: 'deep_tanh', kind: 'builder', line: 4 }]);
  assert.deepEqual(
    findTorchModels(fixture('faults.py')).map((s) => s.name),
    ['BadConstructor', 'BadForward', 'Hangs', 'Explodes', 'RgbConv', 'Regressor', 'Chatty'],
  );
});

test('torch models: module-level Sequential, subclasses of local models, torch.nn.Module spelled out', () => {
  const text = [
    'import torch',
    'import torch.nn as nn',
    'model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))',
    'class Base(torch.nn.Module):',
    '    pass',
    'class Child(Base):',
    '    pass',
    'class NotAModel(object):',
    '    pass',
    'def helper(x):',
    '    return x + 1',
    '    # a comment',
    'net: nn.Module = torch.nn.Sequential(*[nn.Linear(784, 784) for _ in range(3)])',
  ].join('\n');
  assert.deepEqual(findTorchModels(text), [
    { name: 'model', kind: 'sequential', line: 2 },
    { name: 'Base', kind: 'class', line: 3 },
    { name: 'Child', kind: 'class', line: 5 },
    { name: 'net', kind: 'sequential', line: 12 },
  ]);
});

test('torch models: a file that does not import torch offers nothing (Keras code)', () => {
  assert.deepEqual(findTorchModels('from tensorflow import keras\nmodel = keras.Sequential([])\nclass M(keras.Model):\n    pass\n'), []);
});
