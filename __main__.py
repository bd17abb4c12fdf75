"""The Pulumi program: read the spec from stack config, validate it, build the environment.

`pulumi up -s NAME` runs this; `hardstack plan` calls the same `blueprints.build` offline.
"""

from pathlib import Path

import pulumi

from hardstack import blueprints
from hardstack.spec import CONFIG_KEY, SpecError, validate
from hardstack.spec.defaults import project_defaults

stack_file = Path(f"stacks/Pulumi.{pulumi.get_stack()}.yaml")
raw = pulumi.Config("hardstack").require_object(CONFIG_KEY.split(":", 1)[1])
try:
    # The CLI applies Pulumi.yaml's project config only to a key the stack lacks, replacing whole
    # keys (mergeConfig in pulumi/pulumi sdk/go/common/workspace/config.go), so a stack with its own
    # spec gets none of the organisation defaults from it: merge them here, as `hardstack` does.
    # When the stack lacks the key the CLI hands over the defaults themselves, and merging them
    # under themselves changes nothing.
    environment = validate(raw, stack_file, pulumi.get_stack(), defaults=project_defaults(stack_file))
except SpecError as exc:
    raise pulumi.RunError(f"invalid spec in {stack_file}:\n{exc}") from None

for key, value in blueprints.build(environment).items():
    pulumi.export(key, value)
