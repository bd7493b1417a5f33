"""Angle policies: which marketing angle to write for this user and product, and with what
probability. Shared by the stream worker (events), the HTTP API and training (learning)."""
