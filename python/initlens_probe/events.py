"""JSON lines as src/protocol.ts reads them: NaN/±Inf travel as null."""
import json
import math


def clean(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


class EventWriter:
    def __init__(self, stream):
        self.stream = stream

    def emit(self, event):
        self.stream.write(json.dumps(clean(event), allow_nan=False, ensure_ascii=False) + '\n')
        self.stream.flush()
