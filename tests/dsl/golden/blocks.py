"""Blocks: sub-scripts, tests, setup and teardown."""
from __future__ import annotations
import robotest.runtime.api as __rtest__
from robotest.runtime.api import *
SKUS = ['A1', 'B2']
LANGS = ('en', 'de')
PAIRS = [('x', 1), ('y', 2)]

@__rtest__.subscript('enter_setup', retries=2, timeout=300.0)
def enter_setup(key='F2', timeout=60.0):
    """Power on and enter the BIOS setup."""
    __rtest__.press('Power')
    __rtest__.press(key, times=10, every=0.5)
    __rtest__.await_text('BIOS Setup Utility', within=timeout)

@__rtest__.setup
def __rtest_setup__():
    log('before')

@__rtest__.teardown
def __rtest_teardown__():
    __rtest__.press('Esc')

@__rtest__.test('Enter setup', tags=('bios', 'smoke test'), timeout=600.0)
def test_enter_setup():
    enter_setup()

@__rtest__.test('Boot {sku} in {lang}', matrix=((('sku',), SKUS), (('lang',), LANGS)))
def test_boot_in(sku, lang):
    log(f'{sku} {lang}')

@__rtest__.test('Pair {name}={value}', matrix=((('name', 'value'), PAIRS),))
def test_pair(name, value):
    assert value > 0
