"""Checks on a prepared document: accessibility, budgets, word counts and plain English."""
