"""One router per area: questions (JSON API), pages, feedback, admin."""
