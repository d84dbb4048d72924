"""Run the costmodel command line from a checkout: ``python cli.py compare``."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "src"))
from costmodel.cli import main  # noqa: E402
main()
