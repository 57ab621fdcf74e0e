"""Naming: the namer backends, the rules every name keeps, choosing among candidates, and the tuned model's training, data, service and export."""
