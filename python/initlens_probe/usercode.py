"""Loading the user's model from their file, and turning their failures into one line with
their file:line (the full traceback goes to the host's output channel)."""
import importlib.util
import inspect
import os
import sys
import traceback

from torch import nn

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class UserCodeError(Exception):
    """The user's code failed in `phase`; `reason` is one line, `trace` the full traceback."""

    def __init__(self, phase, reason, trace=None):
        super().__init__(reason)
        self.phase = phase
        self.reason = reason
        self.trace = trace


class Refusal(Exception):
    """The model cannot be probed as it is (input shape, output shape, no parameters...)."""


def user_location(tb, user_dir):
    """'file.py:LINE' of the innermost frame in the user's folder (not in this package)."""
    found = None
    for frame in traceback.extract_tb(tb):
        path = os.path.abspath(frame.filename)
        if path.startswith(user_dir + os.sep) and not path.startswith(PACKAGE_DIR + os.sep):
            found = '%s:%d' % (os.path.relpath(path, user_dir), frame.lineno)
    return found


def wrap(phase, err, user_dir):
    first = (str(err).strip().splitlines() or [''])[0]
    where = user_location(err.__traceback__, user_dir)
    what = '%s: %s' % (type(err).__name__, first) if first else type(err).__name__
    reason = '%s failed: %s%s' % (phase, what[:300], ' (%s)' % where if where else '')
    trace = ''.join(traceback.format_exception(type(err), err, err.__traceback__))
    return UserCodeError(phase, reason, trace)


def import_file(path):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise Refusal('model file not found: %s' % path)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as err:  # SyntaxError, SystemExit, anything the file raises
        if isinstance(err, KeyboardInterrupt):
            raise
        raise wrap('import', err, folder)
    return module, folder


def candidates(module):
    """Names in the file that give a model: its nn.Module subclasses and module-level models."""
    names = []
    for name, value in vars(module).items():
        if name.startswith('_'):
            continue
        if inspect.isclass(value) and issubclass(value, nn.Module) and value.__module__ == module.__name__:
            names.append(name)
        elif isinstance(value, nn.Module):
            names.append(name)
    return names


def build_model(module, folder, name, args):
    """The class constructed (args: list → positional, dict → keywords), the function called, or the instance."""
    if name is None:
        found = candidates(module)
        if len(found) != 1:
            raise Refusal('name the model to probe (FILE:NAME); %s' % (
                'the file defines ' + ', '.join(found) if found else 'the file defines no nn.Module'))
        name = found[0]
    if not hasattr(module, name):
        found = candidates(module)
        raise Refusal("no '%s' in %s%s" % (name, os.path.basename(module.__file__), '; models there: ' + ', '.join(found) if found else ''))
    target = getattr(module, name)
    positional = args if isinstance(args, list) else []
    keywords = args if isinstance(args, dict) else {}
    if isinstance(target, nn.Module):
        return target, name
    if not callable(target):
        raise Refusal("'%s' is neither an nn.Module class, a function returning one, nor a model" % name)
    try:
        model = target(*positional, **keywords)
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt):
            raise
        raise wrap('constructing %s' % name, err, folder)
    if not isinstance(model, nn.Module):
        raise Refusal("'%s' returned %s, not an nn.Module" % (name, type(model).__name__))
    return model, name
