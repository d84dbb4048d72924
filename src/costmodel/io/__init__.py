"""Compatibility only: macro-enabled books made by costmodel 0.1 name ``costmodel.io.excel_app`` and
``costmodel.io.excel_udfs`` in their VBA and settings. New code lives in :mod:`costmodel.excel`."""
