"""The bundled example assumption set (the YAML files beside this one), installed as ``costmodel.bundled``.

This file only makes the folder importable as package data; ``costmodel`` reads the YAML files and
ignores it. Copy the YAML files, not this file, to start your own assumption folder.
"""
