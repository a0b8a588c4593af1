import sys
from pathlib import Path

# rc11_harness.py lives next to the tests (import-mode=importlib does
# not put test directories on sys.path by itself).
sys.path.insert(0, str(Path(__file__).parent))
