"""Writes, one module per feature: validate, write in one transaction, queue work after commit."""
