"""Answers: extractive quotes with citations, or generated answers checked sentence by sentence."""
