"""The sub-script library: the reusable `.rtest` basis qualification suites are built from.

Each module is a `.rtest` file, imported with ordinary Python imports through robotest's
import hook (``from robotest.stdlib_subscripts.bios import enter_setup``):

- ``screens``: which screen the laptop shows, and the text comparisons checks rely on;
- ``power``: power on, force off, boot to the login screen, reboot, shut down;
- ``bios``: enter setup, select a tab, read and check a field, leave setup, boot menu;
- ``desktop``: log in, reach the desktop from any screen, dismiss popups, open and close apps;
- ``terminal``: run a command in the Terminal and give back its output;
- ``settings``: read the About page, list the devices;
- ``checks``: whole checks that combine them (BIOS fields, devices, OS build).

The sub-scripts are documented in ``docs/stdlib.md``.
"""
