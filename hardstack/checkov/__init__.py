"""checkov, hardstack's independent judge: exporters, the runner, results and custom checks."""
