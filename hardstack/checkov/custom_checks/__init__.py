"""hardstack's own checkov checks, for what checkov does not check.

They run inside checkov's own environment (they import checkov, not hardstack). Use them on
any Terraform or ARM template: `checkov -d . --external-checks-dir <this directory>`.
"""
