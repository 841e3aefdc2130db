"""The servers behind every part of the product: PostgreSQL and Redis in Docker containers
(testcontainers) or as embedded local processes, behind one engine seam."""
