"""Evaluation: measuring models and segmenters.

:mod:`.cross_validation` (``evaluate``), :mod:`.comparison` (two models on the same
folds), :mod:`.segmentation` (clause boundaries against gold offsets).
"""
