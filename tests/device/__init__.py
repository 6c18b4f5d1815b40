from pathlib import Path

FIXTURES = Path(__file__).with_name("fixtures")
