import sys

from media_pipelines.cli import main

sys.exit(main())
