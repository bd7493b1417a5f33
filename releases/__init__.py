"""The model registry: versioned releases of everything the learning loop trains."""
