"""Evaluation: ranking metrics, BEIR datasets, golden questions about our own corpus."""
