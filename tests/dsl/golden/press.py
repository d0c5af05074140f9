import robotest.runtime.api as __rtest__
from robotest.runtime.api import *

@__rtest__.subscript('keys_demo')
def keys_demo(keys, i, mykey='Ctrl+Alt+Delete'):
    __rtest__.press('F2')
    __rtest__.press('Ctrl+Alt+Delete')
    __rtest__.press(['Down', 'Down', 'Enter'])
    __rtest__.press('F2', times=10, every=0.5)
    __rtest__.press('Power', hold=4.0)
    __rtest__.press('y')
    __rtest__.press(keys[i])
    __rtest__.press(keys[i])
    __rtest__.press(mykey)
    __rtest__.press('Ctrl+c')
    __rtest__.press('+'.join(('Ctrl', mykey)), times=i + 1)
    __rtest__.press(['Esc', 'PageDown', 'F24'])
