"""The `.rtest` language: grammar, compiler, compile cache and import hook."""

from robotest.dsl.cache import check_file, check_files, load_code
from robotest.dsl.compiler import CompiledModule, check_source, compile_code, compile_source
from robotest.dsl.diagnostics import Diagnostic, RtestSyntaxError
from robotest.dsl.importer import import_path, install_import_hook

__all__ = [
    "CompiledModule",
    "Diagnostic",
    "RtestSyntaxError",
    "check_file",
    "check_files",
    "check_source",
    "compile_code",
    "compile_source",
    "import_path",
    "install_import_hook",
    "load_code",
]
