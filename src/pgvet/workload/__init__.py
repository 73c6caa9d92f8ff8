"""The project's workload file (named, parameterised queries) and what running it needs."""
