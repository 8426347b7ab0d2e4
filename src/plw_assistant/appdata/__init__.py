"""The app's own data, shared by every server process over one index folder: feedback, the
gap log, admin sessions, rate-limit counters and the last build, in one SQLite database
(PLW_DATABASE_URL) whose schema changes by numbered migrations."""
