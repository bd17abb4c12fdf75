"""The Pulumi program: read the spec from stack config, validate it, build the environment.

`pulumi up -s NAME` runs this; `hardstack plan` calls the same `blueprints.build` offline.
"""

from pathlib import Path

import pulumi

import blueprints
from hardstack.spec import CONFIG_KEY, SpecError, validate

stack_file = Path(f"stacks/Pulumi.{pulumi.get_stack()}.yaml")
raw = pulumi.Config("hardstack").require_object(CONFIG_KEY.split(":", 1)[1])
try:
    environment = validate(raw, stack_file, pulumi.get_stack())
except SpecError as exc:
    raise pulumi.RunError(f"invalid spec in {stack_file}:\n{exc}") from None

for key, value in blueprints.build(environment).items():
    pulumi.export(key, value)
