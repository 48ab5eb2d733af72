import sys

from okrsite.cli import main

sys.exit(main())
