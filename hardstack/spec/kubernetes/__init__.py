"""The spec's Kubernetes section: a hardened cluster with confidential node pools where the cloud's
Kubernetes service offers them, its models, each service's facts and the rules that check one
against the other."""
