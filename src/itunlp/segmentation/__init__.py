"""Segment: cut a text into clauses, on the raw string, with offsets.

:mod:`.rules` (the patterns as data), :mod:`.layout` and :mod:`.engine` (the rule
engine), :mod:`.boundary_model` and :mod:`.boundary_training` (the learned boundary
decider), :mod:`.component` (the spaCy component and the public wrappers).
Nothing here imports scikit-learn's side of the package (:mod:`itunlp.themes`).
"""
