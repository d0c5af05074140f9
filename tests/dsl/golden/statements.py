import robotest.runtime.api as __rtest__
from robotest.runtime.api import *
import re
REGION = (0, 0, 400, 40)

@__rtest__.subscript('everything')
def everything(user, t):
    __rtest__.type_text('uname -a\n')
    __rtest__.type_text(f'{user}\n', every=0.05)
    __rtest__.click_icon('terminal')
    m = __rtest__.click_icon('ok_button', within=30.0, double=True)
    __rtest__.click_icon('menu', region=REGION, button='right')
    __rtest__.click_text('Next', within=10.0)
    __rtest__.await_text('Welcome', within=120.0)
    __rtest__.await_text(re.compile('BIOS\\s+Setup'), region=(0, 0, 1920, 200), within=t * 2)
    __rtest__.await_icon('desktop_ready', within=90.0)
    __rtest__.await_gone('Loading', within=30.0)
    __rtest__.await_gone(__rtest__.icon('spinner'))
    v = __rtest__.read_text(right_of='BIOS Version')
    w = __rtest__.read_text(below=__rtest__.icon('logo'), region=REGION)
    t2 = __rtest__.read_text(region=(0, 0, 400, 40))
    everything_text = __rtest__.read_text()
    __rtest__.click((960, 540))
    __rtest__.click(m, button='middle', double=True)
    __rtest__.move_to((10, 20))
    __rtest__.wait(1.5)
    __rtest__.wait(0.25)
    __rtest__.wait(3600.0)
    __rtest__.wait(t / 2)
    __rtest__.screenshot()
    __rtest__.screenshot('after_login')
    if exists_text('Updates available', within=5):
        __rtest__.click_text('Later')
