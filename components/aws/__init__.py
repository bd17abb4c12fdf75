"""AWS components of a hardened AI environment."""

from components.aws.kms_key import KmsKey, KmsKeyArgs

__all__ = ["KmsKey", "KmsKeyArgs"]
