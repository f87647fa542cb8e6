"""Photos on tickets: re-encoded without metadata, stored behind one interface, scoped like their ticket."""
