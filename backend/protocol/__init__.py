"""Protocol logic, free of Flask and of the database: one module per specification concern, the
section in each docstring, so a reader can go from an RFC paragraph to the line that enforces it.
What the protocol needs stored goes through the hooks of `storage.py` (`backend/store.py`
implements them); `tests/backend/test_protocol_layering.py` keeps it so."""
