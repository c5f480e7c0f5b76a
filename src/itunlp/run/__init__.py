"""Run: many documents through a model, in order, on one core, many, or Dask.

:mod:`.inputs` (paths, folders, globs, stdin), :mod:`.worker` (tasks and model
references), :mod:`.batch` (the driver), :mod:`.dask_engine`, :mod:`.outputs` (table
writers), :mod:`.progress`.
"""
