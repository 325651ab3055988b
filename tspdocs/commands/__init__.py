"""The commands a user runs, as library functions: build, batch, check, serve, scaffold, changes."""
