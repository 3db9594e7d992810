"""Kept so imports of ``kkod.web.problems`` still work: the module is ``kkod.web.shared.problems``."""

from kkod.web.shared.problems import *  # noqa: F403
