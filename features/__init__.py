"""Feast feature repo, the online feature writer/reader, and the product catalog."""
