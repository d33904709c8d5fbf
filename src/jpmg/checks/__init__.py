"""The checks of the validation pipeline, one module each; every check returns a list of findings."""
