"""ACME's platform blueprints for hardstack: the example of a blueprint of your own.

Name one in a stack's spec (`blueprint: acme_platform.blueprints:TrainingEnv`) and make this
package importable where hardstack and Pulumi run (README.md).
"""
