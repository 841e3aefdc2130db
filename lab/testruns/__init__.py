"""Running the paired test files in a subprocess and streaming each test's outcome as it finishes."""
