"""robotest: qualify laptop software images with a test robot.

`.rtest` scripts (Python plus robot statements) are compiled by :mod:`robotest.dsl`,
executed by :mod:`robotest.runtime` against a station (:mod:`robotest.drivers`), which
sees the laptop's screen through :mod:`robotest.vision`.
"""

from robotest.dsl.importer import install_import_hook

__version__ = "0.1.0"

install_import_hook()

__all__ = ["__version__", "install_import_hook"]
