"""Reads, one module per feature, each page with a fixed number of queries."""
