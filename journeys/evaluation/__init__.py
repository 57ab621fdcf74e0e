"""Evaluation of extraction and naming on public data sets."""
