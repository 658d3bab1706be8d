import sys

from track2.cli import main

sys.exit(main())
