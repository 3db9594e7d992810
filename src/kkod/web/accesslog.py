"""Kept so imports of ``kkod.web.accesslog`` still work: the module is ``kkod.web.shared.accesslog``."""

from kkod.web.shared.accesslog import *  # noqa: F403
