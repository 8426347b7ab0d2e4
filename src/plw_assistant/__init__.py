"""PLW Assistant: cited answers from the lessons of the BLUES Peer Learning Webinars."""

__version__ = "0.1.0"
