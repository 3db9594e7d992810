"""Kept so imports of ``kkod.web.deps`` still work: the module is ``kkod.web.shared.deps``."""

from kkod.web.shared.deps import *  # noqa: F403
