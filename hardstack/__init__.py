"""hardstack: hardened AI environments on AWS, Azure and GCP from one declarative spec."""

__version__ = "0.1.0"
