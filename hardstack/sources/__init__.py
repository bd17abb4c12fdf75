"""Graphs to judge that hardstack did not render from a spec: a Pulumi state export, a preview, a program."""
