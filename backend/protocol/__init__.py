"""Protocol logic, free of Flask: one module per specification concern, the section in each
docstring, so a reader can go from an RFC paragraph to the line that enforces it."""
