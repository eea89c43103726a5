"""InitLens' helper for PyTorch: the probe runner (`python -m initlens_probe`, started by the
extension or `initlens compare --backend pytorch`) and `watch(model)` for your own training.

    from initlens_probe import watch
    watch(model, every=10)   # JSON lines under .initlens/runs/ (or $INITLENS_RUN_DIR)
"""
__all__ = ['watch']


def watch(model, every=10, run_dir=None, name=None):
    from .watching import watch as _watch
    return _watch(model, every=every, run_dir=run_dir, name=name)
