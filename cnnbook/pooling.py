__all__: list[str] = []  # placeholder, being written
