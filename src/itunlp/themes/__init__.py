"""Policy themes: the scheme, clause features and the classifier.

Importing this package loads only the scheme (no scikit-learn); the classifier is
:mod:`itunlp.themes.classifier`.
"""

from itunlp.themes.scheme import Theme, ThemeScheme, load_themes

__all__ = ["Theme", "ThemeScheme", "load_themes"]
