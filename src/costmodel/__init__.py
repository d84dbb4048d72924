"""costmodel: cost the ways an English council can deliver children's social care while it improves.

The core (levers, assumptions, timeline, cost_lines, engine, appraisal, comparison, decision) is pure
numpy and does no I/O; adapters in ``costmodel.io`` read and write files, workbooks and Excel.
"""
__version__ = "0.1.0"
