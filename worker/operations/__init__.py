"""Operator and web-app operations: plain functions that take a Session and never commit."""
