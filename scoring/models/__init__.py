"""Transitional: the models module moved here whole; the next commit splits it by feature."""

from .rules import *  # noqa: F401,F403
