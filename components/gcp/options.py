"""Options for a component's children that keep the caller's ordering.

Pulumi does not pass a component's `depends_on` down to the resources the component creates,
so "create this component after X" would order only the component itself, not its bucket or
instance. Every GCP component builds its children's options here instead.
"""

from __future__ import annotations

import pulumi


def child_options(parent: pulumi.Resource, opts: pulumi.ResourceOptions | None,
                  *after: pulumi.Resource) -> pulumi.ResourceOptions:
    """`parent=parent`, depending on whatever the component depends on, plus `after`."""
    inherited = opts.depends_on if opts is not None else None
    if inherited is None:
        depends: list[pulumi.Resource] = []
    elif isinstance(inherited, pulumi.Resource):
        depends = [inherited]
    elif isinstance(inherited, list | tuple):
        depends = list(inherited)
    else:
        raise TypeError("GCP components take depends_on as a resource or a list of resources, not an Output")
    depends.extend(after)
    return pulumi.ResourceOptions(parent=parent, depends_on=depends or None)
