"""Field extractors: each reads one kind of fact from normalised text."""
