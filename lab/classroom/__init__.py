"""The classroom's tools: pre-flight checks (the doctor), image pulls and the offline pack,
Codespaces set-up and port visibility."""
