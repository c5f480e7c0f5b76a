"""Views: what people read, built from clause tables.

:mod:`.report` (the HTML report, from :mod:`templates`), :mod:`.diffing` (two
versions of a text), :mod:`.plots`, :mod:`.summary`.
"""
