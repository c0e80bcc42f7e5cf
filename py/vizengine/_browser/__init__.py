"""Private: the only code that touches the page. Imported inside Pyodide only."""
