"""The Redis rate limiter (with its naive and fantasy twins) and the fail-open wrapper the show uses."""
