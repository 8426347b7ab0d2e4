"""`plw bench`: speed of PLW Assistant against the bare libraries, measured in one run.

Lives beside the product (not in its wheel); ``plw`` finds its command through the
``plw_assistant.commands`` entry point declared in pyproject.toml.
"""
