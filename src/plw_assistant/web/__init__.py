"""The web shell: app factory, dependencies, request schemas, the guard, one router per area."""
