"""`plw bench`: speed of PLW Assistant against the bare libraries, measured in one run.

Lives beside the product (not in its wheel) and is imported lazily by the ``plw`` command.
"""
