"""costmodel: cost the ways an English council can deliver children's social care while it improves.

The top-level modules are the pure calculation core (levers, assumptions, timeline, cost_lines, engine,
discounting, appraisal, comparison, decision, scenarios, sensitivity, sampling, montecarlo): numpy
only, no I/O. Adapters live in their own packages — ``files`` (assumption folders, atomic writes, the
bundled example), ``workbook``, ``excel``, ``report``, ``render``, ``backends`` — and ``cli`` is the
only package that imports click. Errors are in ``errors``, at the bottom of the import graph.
"""
__version__ = "0.2.0"
