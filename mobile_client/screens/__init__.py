"""One module per screen (behaviour) with a `.kv` file of the same name (layout)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

LAYOUTS = ("login", "home", "conversation", "settings")
_loaded: set[str] = set()


def load_layouts() -> None:
    """Load each screen's `.kv` rules once per process (loading twice would apply them twice)."""
    for name in LAYOUTS:
        if name not in _loaded:
            Builder.load_file(str(Path(__file__).with_name(f"{name}.kv")))
            _loaded.add(name)
