"""Labels: reading, writing and checking the labelled clauses a model learns from.

:mod:`.corpus` (label files and the shipped corpus), :mod:`.label_studio`,
:mod:`.suggest` (clauses worth labelling next), :mod:`.agreement` (between annotators),
:mod:`.training_corpus` (what ``train`` and ``evaluate`` read), :mod:`.audit` (labels that
are likely inconsistent) with :mod:`.audit_rules` (the codebook's checkable rules as data).
"""
