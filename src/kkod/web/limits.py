"""Kept so imports of ``kkod.web.limits`` still work: the module is ``kkod.web.shared.limits``."""

from kkod.web.shared.limits import *  # noqa: F403
