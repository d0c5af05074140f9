import robotest.runtime.api as __rtest__
from robotest.runtime.api import *
press = 3
press += 1
wait = [1, 2]
click = {'a': 1}
x = press + wait[0]
test = 'a title'
subscript = None
print(press, wait[0], click['a'], test)
docs = '\npress F2 to enter setup\ntest "not a test":\n'

def helper(press):
    press(1)
    press.x = 2
    return press
match x:
    case 1:
        pass
    case _:
        pass
