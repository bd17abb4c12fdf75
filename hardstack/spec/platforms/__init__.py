"""The spec's managed AI platform section: its models, each cloud's offer and the rules that
check the one against the other."""
