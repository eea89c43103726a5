/**
 * Which Python runs the user's model. The Python extension cannot be installed offline, so its
 * published API facade is stood in for here; the PATH fallback runs in real VS Code
 * (test/integration) and in the CLI tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePython, followActiveEnvironment } from '../../src/host/pythonCore';
import type { PythonEnvironmentEvents, PythonEnvironmentsApi } from '../../src/host/pythonCore';

function facade(executable: string | undefined, envPath = '/home/u/proj/.venv'): PythonEnvironmentsApi & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    getActiveEnvironmentPath(resource?: unknown) {
      asked.push(resource);
      return { id: envPath, path: envPath };
    },
    async resolveEnvironment(env) {
      assert.deepEqual(env, { id: envPath, path: envPath });
      return executable === undefined ? undefined : { executable: { uri: { fsPath: executable } } };
    },
  };
}

const onPath = (found: Record<string, string>) => (name: string) => found[name];

test('python: initlens.pythonPath wins over the Python extension and PATH', async () => {
  const choice = await choosePython({ setting: ' /opt/py/bin/python ', extension: async () => facade('/venv/bin/python'), which: onPath({ python3: '/usr/bin/python3' }) });
  assert.deepEqual(choice, { executable: '/opt/py/bin/python', source: 'setting', why: 'initlens.pythonPath is set' });
});

test("python: the Python extension's active environment for the file's folder", async () => {
  const api = facade('/home/u/proj/.venv/bin/python');
  const folder = { fsPath: '/home/u/proj' };
  const choice = await choosePython({ setting: '', extension: async () => api, resource: folder, which: onPath({ python3: '/usr/bin/python3' }) });
  assert.equal(choice.executable, '/home/u/proj/.venv/bin/python');
  assert.equal(choice.source, 'python-extension');
  assert.match(choice.why, /active environment \(\/home\/u\/proj\/\.venv\)/);
  assert.deepEqual(api.asked, [folder], 'asked for the resource it was given');
});

test('python: an environment the extension cannot resolve falls back to PATH, and says so', async () => {
  const choice = await choosePython({ extension: async () => facade(undefined), which: onPath({ python: '/usr/local/bin/python' }) });
  assert.equal(choice.executable, '/usr/local/bin/python');
  assert.equal(choice.source, 'path');
  assert.match(choice.why, /^python on PATH \(the Python extension's active environment .* did not resolve to an interpreter; initlens.pythonPath unset\)$/);
});

test("python: the extension's API failing is not fatal", async () => {
  const choice = await choosePython({
    extension: async () => {
      throw new Error('activation failed\nstack');
    },
    which: onPath({ python3: '/usr/bin/python3' }),
  });
  assert.equal(choice.executable, '/usr/bin/python3');
  assert.match(choice.why, /the Python extension's API failed: activation failed;/);
});

test('python: without the extension, python3 before python on PATH; nothing found is one line', async () => {
  const both = await choosePython({ which: onPath({ python3: '/usr/bin/python3', python: '/usr/bin/python' }) });
  assert.equal(both.executable, '/usr/bin/python3');
  assert.match(both.why, /the Python extension is not installed/);
  const none = await choosePython({ which: onPath({}) });
  assert.equal(none.executable, undefined);
  assert.equal(none.source, 'none');
  assert.doesNotMatch(none.why, /\n/);
});

/** The facade's onDidChangeActiveEnvironmentPath, stood in for: fire() is the person picking another environment. */
function events(): { api: PythonEnvironmentEvents; fire(): void; listeners: Set<() => void> } {
  const listeners = new Set<() => void>();
  return {
    listeners,
    fire: () => listeners.forEach((l) => l()),
    api: {
      onDidChangeActiveEnvironmentPath(listener) {
        listeners.add(listener);
        return { dispose: () => listeners.delete(listener) };
      },
    },
  };
}

test("python: a new active environment in the Python extension is followed; dispose stops it", async () => {
  const e = events();
  let changes = 0;
  const following = followActiveEnvironment(async () => e.api, () => changes++);
  await new Promise((r) => setImmediate(r));
  e.fire();
  e.fire();
  assert.equal(changes, 2);
  following.dispose();
  e.fire();
  assert.equal(changes, 2);
  assert.equal(e.listeners.size, 0, 'the subscription is released');
});

test('python: disposed before the facade answers, nothing stays subscribed; a failing facade is ignored', async () => {
  const e = events();
  let resolve: (api: PythonEnvironmentEvents) => void = () => undefined;
  let changes = 0;
  const following = followActiveEnvironment(() => new Promise((r) => (resolve = r)), () => changes++);
  following.dispose();
  resolve(e.api);
  await new Promise((r) => setImmediate(r));
  e.fire();
  assert.equal(changes, 0);
  assert.equal(e.listeners.size, 0);
  // A rejecting facade is not an unhandled rejection (node:test would fail the file) and calls nothing.
  const failing = followActiveEnvironment(() => Promise.reject(new Error('facade failed')), () => changes++);
  await new Promise((r) => setImmediate(r));
  failing.dispose();
  assert.equal(changes, 0);
});
