"""Your own blueprints: a spec names one with `blueprint: package.module:Attribute`.

A platform team composes hardstack's components (and its own) into an environment of its own
design, and the spec says which: `blueprint: acme_platform.blueprints:TrainingEnv`. Such an
environment is rendered, exported and judged (policy packs, checkov, exemptions) exactly like one
of the built-in blueprints; `pulumi up` runs it through the same `blueprints.build`.

The contract: the reference names, after the colon, either

- a function `(env: Environment) -> Mapping[str, Any]`, or
- an object with such a `build` attribute: a class with a classmethod or staticmethod `build`
  (e.g. a ComponentResource that builds itself), an instance, a module.

It is called once, inside the Pulumi program (or the offline mock runtime), with the same
validated `Environment` the built-in blueprints get (`env.blueprint` is the reference itself), and
declares the resources. It returns the stack outputs: a mapping of names to values or Outputs,
which `pulumi up` exports. A class is not called to construct it: a class without `build` is refused,
as its instance would not be the outputs.

The module is imported from `sys.path`, as Pulumi's Python runtime imports it: install the team's
package into the project's virtualenv (`pip install acme-platform`, or `pip install -e .` in its
checkout), or add the directory that holds it to PYTHONPATH (`PYTHONPATH=examples hardstack check
...`). The spec's validation checks only the reference's shape, so `hardstack validate` stays free of
the cloud SDKs and of the machine's sys.path; a module that cannot be imported, a missing attribute
or an object of the wrong kind fails the render with a `BlueprintError` that names the spec field.

`hardstack check` caches renders: `hardstack.cache.keys.blueprint_digest(reference)` fingerprints
the source of the blueprint's top-level package so that editing it renders the stack again.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pulumi import RunError

from hardstack.spec import Environment

FIELD = "blueprint"
MAKE_IMPORTABLE = ("make it importable where hardstack and Pulumi run: pip install the package that holds it, "
                   "or add the directory that holds the package to PYTHONPATH")


class Blueprint(Protocol):
    """A function that declares an environment's resources and returns its stack outputs."""

    def __call__(self, env: Environment, /) -> Mapping[str, Any]: ...


class BlueprintError(RunError):
    """The spec's `blueprint` cannot be used. A RunError, so that `pulumi up` reports the message
    alone instead of a traceback of hardstack's own frames; offline renders report it as a RenderError."""

    def __init__(self, reference: str, problem: str) -> None:
        super().__init__(f"{FIELD}: '{reference}': {problem}")
        self.reference = reference


def resolve(reference: str) -> Blueprint:
    """The callable `reference` ('package.module:Attribute') names; BlueprintError if there is none."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise BlueprintError(reference, "not a blueprint reference: write 'package.module:Attribute', "
                             "e.g. acme_platform.blueprints:TrainingEnv")
    module = _import(reference, module_name)
    target: Any = module
    walked: list[str] = []
    for part in attribute.split("."):
        walked.append(part)
        if not hasattr(target, part):
            where = f"module {module_name}" if len(walked) == 1 else f"{module_name}:{'.'.join(walked[:-1])}"
            raise BlueprintError(reference, f"{where} has no attribute '{part}': name the blueprint defined in "
                                 f"{module.__file__ or module_name}")
        target = getattr(target, part)
    build = getattr(target, "build", None)
    if inspect.isclass(target) and inspect.isfunction(inspect.getattr_static(target, "build", None)):
        # Called on the class, an instance method would receive the environment as `self`.
        raise BlueprintError(reference, f"{target.__name__}.build is an instance method: make it a "
                             "classmethod or staticmethod build(env) that returns the stack outputs")
    if callable(build):
        return _checked(reference, build)
    if inspect.isclass(target):
        raise BlueprintError(reference, f"class {target.__name__} has no build(env) method: give it a "
                             "classmethod or staticmethod build(env) that returns the stack outputs")
    if callable(target):
        return _checked(reference, target)
    raise BlueprintError(reference, f"is a {type(target).__name__}, not a blueprint: name a function "
                         "build(env) -> stack outputs, or an object with such a build method")


def build(env: Environment) -> dict[str, Any]:
    """Run the blueprint `env.blueprint` names on `env`; its stack outputs."""
    assert env.blueprint is not None
    return dict(resolve(env.blueprint)(env))


def _import(reference: str, module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        # Only a missing module on the path to the blueprint is a wrong reference or a package
        # not installed; a module the blueprint's own code imports is its dependency, missing.
        if module_name == missing or module_name.startswith(f"{missing}."):
            raise BlueprintError(reference, f"cannot import module {module_name} (no module named '{missing}'): "
                                 f"check the spelling, and {MAKE_IMPORTABLE}") from exc
        raise BlueprintError(reference, f"importing {module_name} failed: {exc}: install what the blueprint's "
                             "package depends on") from exc
    except Exception as exc:  # the blueprint module's own error while it is imported
        raise BlueprintError(reference, f"importing {module_name} failed: {type(exc).__name__}: {exc}") from exc


def _checked(reference: str, function: Callable[..., Any]) -> Blueprint:
    def run(env: Environment) -> Mapping[str, Any]:
        outputs = function(env)
        if not isinstance(outputs, Mapping) or not all(isinstance(k, str) for k in outputs):
            raise BlueprintError(reference, f"returned {type(outputs).__name__}, not the stack outputs: return a "
                                 "mapping of output names to values (a dict, possibly empty)")
        return outputs

    return run
