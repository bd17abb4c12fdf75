"""Pulumi ComponentResources, one concern per module, per cloud (aws/, azure/, gcp/).

Every component takes a typed args class, parents its children to itself, and applies secure
defaults that a caller can only weaken through an explicit, named argument.
"""
