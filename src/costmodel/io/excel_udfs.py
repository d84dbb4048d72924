"""Compatibility shim for books made by costmodel 0.1: the worksheet functions now live in :mod:`costmodel.excel.udfs`."""
from costmodel.excel.udfs import costmodel_npc, costmodel_pv, costmodel_safe_month  # noqa: F401
