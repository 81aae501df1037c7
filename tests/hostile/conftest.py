import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import demo_server, make_httpserver, newsroom  # noqa: F401  (the suite's fixtures, here too)
