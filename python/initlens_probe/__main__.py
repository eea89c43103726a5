"""Probe process entry for PyTorch models: `python -m initlens_probe` (the extension and the CLI
start it with this package's folder on PYTHONPATH). Reads one JSON line on stdin:
  {"type": "start", "request": RunRequest, "model": {"file", "name"?, "args"?},
   "spec": InitSpec | null, "dataPath": str, "device": "auto"|"cpu"|"cuda"}
and writes protocol events (src/protocol.ts) as JSON lines on stdout. Anything the user's code
prints goes to stderr, so it can never corrupt the event stream."""
import json
import os
import sys
import time

from .events import EventWriter


def status(device):
    """One JSON line: what this interpreter offers (the sidebar's status, the CLI's check)."""
    out = {'python': sys.version.split()[0], 'executable': sys.executable, 'torch': None, 'numpy': None,
           'missing': None, 'device': 'cpu', 'deviceReason': 'torch is not importable'}
    try:
        import numpy
        out['numpy'] = numpy.__version__
        import torch
        out['torch'] = torch.__version__
        from .probe import pick_device
        _, out['device'], out['deviceReason'] = pick_device(device)
    except ImportError as err:
        out['missing'] = 'No module named %s' % (getattr(err, 'name', None) or err)
    except Exception as err:
        out['missing'] = '%s: %s' % (type(err).__name__, err)
    print(json.dumps(out))
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--status':
        return status(sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == '--device' else 'auto')
    started_at = time.time()
    # Events get a private copy of stdout; fd 1 becomes stderr for the user's prints (and C code's).
    events = os.fdopen(os.dup(1), 'w', buffering=1, encoding='utf-8')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    writer = EventWriter(events)
    line = sys.stdin.readline()
    if not line:
        return 0
    try:
        command = json.loads(line)
        run_id = command['request']['runId']
    except (ValueError, KeyError, TypeError) as err:
        writer.emit({'type': 'failed', 'runId': '?', 'reason': 'bad start command: %s' % err})
        return 2
    try:
        from .probe import run
        from .usercode import Refusal, UserCodeError
        from .data import DataError
    except ImportError as err:
        missing = getattr(err, 'name', None) or str(err)
        writer.emit({'type': 'failed', 'runId': run_id,
                     'reason': 'this Python (%s) cannot import %s; install PyTorch there (python -m pip install torch numpy)' % (sys.executable, missing)})
        return 1
    try:
        run(command, writer.emit, started_at)
    except UserCodeError as err:
        writer.emit({'type': 'failed', 'runId': run_id, 'reason': err.reason, 'traceback': err.trace})
        return 1
    except (Refusal, DataError) as err:
        writer.emit({'type': 'failed', 'runId': run_id, 'reason': str(err)})
        return 1
    except Exception as err:  # a bug of ours or an out-of-memory: still one line, trace to the log
        import traceback
        writer.emit({'type': 'failed', 'runId': run_id, 'reason': '%s: %s' % (type(err).__name__, (str(err).splitlines() or [''])[0][:300]),
                     'traceback': traceback.format_exc()})
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
