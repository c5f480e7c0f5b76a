"""Run :mod:`itunlp.run.batch` work on a Dask cluster: one task per document, in input order.

:func:`itunlp.run.batch.stream_clauses` imports this module only when ``engine="dask"``,
so importing :mod:`itunlp.run.batch` needs no Dask. The model is sent once per worker
by a worker plugin (kept in the worker's model cache, :func:`itunlp.run.batch._cache_model`);
tasks carry only a reference to it. Reading, segmenting and classifying a document
is :func:`itunlp.run.batch._run_task`, the same function the local engines run, so
every engine gives the same table.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections import deque
from collections.abc import Iterator
from typing import Any

from itunlp.run.worker import _cache_model, _model_payload, _Result, _run_task, _Task

__all__ = ["run_dask"]


class _DaskPluginModel:
    """The model held by a worker plugin registered once per Dask worker."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self) -> Any:
        from distributed import get_worker

        return get_worker().plugins[self.name].model


def _model_plugin_class() -> type:
    """Define the Dask worker plugin on first use, so importing this module needs no Dask."""
    cached = globals().get("_ModelPluginClass")
    if cached is not None:
        return cached
    from distributed.diagnostics.plugin import WorkerPlugin

    class _ModelPlugin(WorkerPlugin):
        """Unpickle the model once when a worker starts (or joins) and keep it there."""

        def __init__(self, payload: bytes, token: str) -> None:
            self.payload, self.token, self.model = payload, token, None

        def setup(self, worker: Any) -> None:
            self.model = _cache_model(self.token, lambda: pickle.loads(self.payload))

        def __getstate__(self) -> dict[str, Any]:
            return {"payload": self.payload, "token": self.token, "model": None}

    _ModelPlugin.__qualname__ = _ModelPlugin.__name__ = "_ModelPluginClass"
    _ModelPlugin.__module__ = __name__
    globals()["_ModelPluginClass"] = _ModelPlugin
    return _ModelPlugin


def __getattr__(name: str) -> Any:
    # Workers unpickling the plugin look its class up here (PEP 562).
    if name == "_ModelPluginClass":
        return _model_plugin_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------- engine


def _dask_client(scheduler: Any, n_jobs: int) -> tuple[Any, list[Any]]:
    """A client for ``scheduler``, and what we started (to close afterwards)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(
            "engine='dask' needs the 'dask' extra: pip install 'itunlp[dask]'"
        ) from None
    if scheduler is None:
        workers = n_jobs if n_jobs > 0 else (os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        return client, [client, cluster]
    if isinstance(scheduler, Client):
        return scheduler, []
    if isinstance(scheduler, str):
        client = Client(scheduler)
        return client, [client]
    if hasattr(scheduler, "scheduler_address"):
        client = Client(scheduler)
        return client, [client]
    raise TypeError(
        "scheduler must be None (start a local cluster), an address such as "
        f"'tcp://10.0.0.5:8786', a distributed.Client or a cluster; got {type(scheduler).__name__}"
    )


def run_dask(
    model: Any, tasks: Iterator[_Task], scheduler: Any, n_jobs: int, settings: tuple[bool, int, int]
) -> Iterator[_Result]:
    """Submit one task per document (per block for streamed files), results in input order.

    At most a few tasks per worker thread are in flight, so the client holds a
    bounded number of partitions however many documents there are.
    """
    client, started = _dask_client(scheduler, n_jobs)
    name = None
    window: deque[tuple[_Task, Any]] = deque()
    try:
        ref = None
        if model is not None:
            payload, token = _model_payload(model)
            name = f"itunlp-model-{token}"
            client.register_plugin(_model_plugin_class()(payload, token), name=name)
            del payload
            ref = _DaskPluginModel(name)
        limit = max(4, 2 * sum(client.nthreads().values()))
        for task in tasks:
            future = client.submit(_run_task, ref, task, *settings, pure=False)
            window.append((task, future))
            if len(window) >= limit:
                yield _dask_result(*window.popleft())
        while window:
            yield _dask_result(*window.popleft())
    finally:
        for _, future in window:
            future.cancel()
        if name is not None and not started:
            # A shared cluster should not keep our model in memory after the run.
            with contextlib.suppress(Exception):  # a cluster gone has nothing to free
                client.unregister_worker_plugin(name)
        for resource in started:
            resource.close()


def _dask_result(task: _Task, future: Any) -> _Result:
    try:
        result = future.result()
    except Exception as error:  # a worker died or the cluster went away
        result = _Result(task.index, task.last, None, f"Dask: {type(error).__name__}: {error}")
    future.release()
    return result
