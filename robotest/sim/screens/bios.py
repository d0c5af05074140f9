"""BIOS setup: tabs Main, Advanced, Boot, Security, Exit; F10 saves, Esc leaves without saving."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen

TABS = ("Main", "Advanced", "Boot", "Security", "Exit")

BLUE = (0, 0, 168)
GREY = (200, 200, 200)
LIGHT = (224, 224, 224)
WHITE = (255, 255, 255)
DARK_BLUE = (0, 0, 120)
BLACK = (0, 0, 0)

TOGGLES = {
    "Intel Virtualization Technology": "virtualization",
    "Hyper-Threading": "hyper_threading",
    "Wake on LAN": "wake_on_lan",
    "USB Legacy Support": "usb_legacy",
    "Fast Boot": "fast_boot",
    "Secure Boot": "secure_boot",
}

EXIT_ITEMS = ("Save Changes and Exit", "Discard Changes and Exit", "Load Setup Defaults")

CONFIRM_SAVE = "Save configuration and exit?"
CONFIRM_DISCARD = "Exit Without Saving?"
CONFIRM_DEFAULTS = "Load Optimized Defaults?"


def default_firmware(secure_boot: bool) -> dict[str, bool]:
    """Factory firmware settings of an image."""
    return {
        "virtualization": True,
        "hyper_threading": True,
        "wake_on_lan": False,
        "usb_legacy": True,
        "fast_boot": False,
        "secure_boot": secure_boot,
    }


@dataclass
class Dialog:
    title: str
    question: str
    action: str  # "save", "discard" or "defaults"
    yes: bool = True


class BiosScreen(Screen):
    """The setup utility; edits are pending until saved with F10 (or Save Changes and Exit)."""

    name = "bios"

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.tab = 0
        self.row = 0
        self.pending = dict(machine.firmware)
        self.dialog: Dialog | None = None

    @property
    def state(self) -> str:
        if self.dialog is None:
            return "bios"
        return {"save": "bios_save_dialog", "discard": "bios_exit_dialog"}.get(
            self.dialog.action, "bios_defaults_dialog"
        )

    @property
    def tab_name(self) -> str:
        return TABS[self.tab]

    # -- content --------------------------------------------------------------------
    def rows(self, now: float) -> list[tuple[str, str]]:
        image = self.machine.image
        on = {True: "Enabled", False: "Disabled"}
        tab = self.tab_name
        if tab == "Main":
            clock = self.machine.time_of_day(now)
            return [
                ("BIOS Version", image.shown_bios_version),
                ("BIOS Date", image.bios_date),
                ("EC Version", image.ec_version),
                ("Product Name", image.model),
                ("Serial Number", image.serial),
                ("CPU Type", image.cpu),
                ("System Memory", image.memory_text),
                ("System Date", clock.strftime("%m/%d/%Y")),
                ("System Time", clock.strftime("%H:%M")),
            ]
        if tab == "Advanced":
            rows = [(label, on[self.pending[key]]) for label, key in list(TOGGLES.items())[:4]]
            return [*rows, ("SATA Mode", "AHCI")]
        if tab == "Boot":
            order = [(f"Boot Option #{i}", name) for i, name in enumerate(image.boot_order, 1)]
            return [("Boot Mode", "UEFI"), ("Fast Boot", on[self.pending["fast_boot"]]), *order]
        if tab == "Security":
            return [
                ("Secure Boot", on[self.pending["secure_boot"]]),
                ("TPM Device", image.tpm),
                ("Administrator Password", "Not Installed"),
            ]
        return [(item, "") for item in EXIT_ITEMS]

    def clock_token(self, now: float) -> Hashable:
        if self.tab_name != "Main":
            return None
        return self.machine.time_of_day(now).strftime("%H:%M")

    # -- input ----------------------------------------------------------------------
    def key_down(self, key: str) -> None:
        if self.dialog is not None:
            self._dialog_key(key)
            return
        count = len(self.rows(self.machine.now))
        if key in ("Left", "Right"):
            self.tab = (self.tab + (1 if key == "Right" else -1)) % len(TABS)
            self.row = 0
        elif key in ("Up", "Down"):
            self.row = (self.row + (1 if key == "Down" else -1)) % count
        elif key == "Esc":
            self.dialog = Dialog("Exit Without Saving", CONFIRM_DISCARD, "discard")
        elif key == "F10":
            self.dialog = Dialog("Save & Exit Setup", CONFIRM_SAVE, "save")
        elif key == "Enter":
            self._select()

    def _select(self) -> None:
        label, _ = self.rows(self.machine.now)[self.row]
        if self.tab_name == "Exit":
            self.dialog = {
                0: Dialog("Save & Exit Setup", CONFIRM_SAVE, "save"),
                1: Dialog("Exit Without Saving", CONFIRM_DISCARD, "discard"),
                2: Dialog("Load Setup Defaults", CONFIRM_DEFAULTS, "defaults"),
            }[self.row]
        elif label in TOGGLES:
            key = TOGGLES[label]
            self.pending[key] = not self.pending[key]

    def _dialog_key(self, key: str) -> None:
        dialog = self.dialog
        assert dialog is not None
        if key in ("Left", "Right", "Tab"):
            dialog.yes = not dialog.yes
        elif key == "Esc":
            self.dialog = None
        elif key == "Enter":
            self.dialog = None
            if dialog.yes:
                self._confirm(dialog.action)

    def _confirm(self, action: str) -> None:
        if action == "defaults":
            self.pending = default_firmware(self.machine.image.secure_boot)
            return
        if action == "save":
            self.machine.firmware.update(self.pending)
        self.machine.enter("restart", quiet=True)

    # -- drawing --------------------------------------------------------------------
    def draw(self, painter: Painter, now: float) -> None:
        painter.rect((0, 0, 1920, 1080), fill=BLUE)
        painter.text((960, 36), "BIOS Setup Utility", size=34, face="bold", anchor="mm")
        x = 60
        for index, tab in enumerate(TABS):
            width = painter.text_width(tab, size=28) + 48
            selected = index == self.tab
            if selected:
                painter.rect((x, 72, x + width, 122), fill=GREY)
            painter.text((x + 24, 97), tab, size=28, color=BLUE if selected else WHITE, anchor="lm")
            x += width + 8
        painter.rect((0, 122, 1380, 990), fill=GREY)
        painter.rect((1380, 122, 1920, 990), fill=LIGHT)
        painter.rect((1380, 122, 1384, 990), fill=BLUE)
        for index, (label, value) in enumerate(self.rows(now)):
            y = 180 + index * 56
            if index == self.row:
                painter.rect((40, y - 24, 1340, y + 24), fill=DARK_BLUE)
                label_colour, value_colour = WHITE, WHITE
            else:
                label_colour, value_colour = DARK_BLUE, BLACK
            painter.text((80, y), label, size=28, color=label_colour, anchor="lm")
            if value:
                painter.text((640, y), value, size=28, color=value_colour, anchor="lm")
        self._draw_help(painter)
        painter.text(
            (960, 1035),
            "\u2190\u2192 Select Screen    \u2191\u2193 Select Item    Enter Select    "
            "F10 Save and Exit    Esc Exit",
            size=24,
            anchor="mm",
        )
        if self.dialog is not None:
            self._draw_dialog(painter, self.dialog)

    def _draw_help(self, painter: Painter) -> None:
        help_lines = {
            "Main": ["System information", "of this computer."],
            "Advanced": ["Press Enter to toggle", "the selected option."],
            "Boot": ["Boot devices are tried", "in the order shown."],
            "Security": ["Press Enter to toggle", "Secure Boot."],
            "Exit": ["Press Enter on an item", "to leave Setup."],
        }[self.tab_name]
        for index, line in enumerate(help_lines):
            painter.text((1420, 170 + index * 40), line, size=24, color=BLACK)

    def _draw_dialog(self, painter: Painter, dialog: Dialog) -> None:
        box = (560, 400, 1360, 660)
        painter.rect(box, fill=GREY, outline=WHITE, width=4)
        painter.rect((560, 400, 1360, 456), fill=DARK_BLUE)
        painter.text((960, 428), dialog.title, size=28, face="bold", anchor="mm")
        painter.text((960, 512), dialog.question, size=30, color=BLACK, anchor="mm")
        for label, centre, chosen in (("Yes", 850, dialog.yes), ("No", 1070, not dialog.yes)):
            if chosen:
                painter.rect((centre - 70, 570, centre + 70, 622), fill=DARK_BLUE)
            colour = WHITE if chosen else BLACK
            painter.text((centre, 596), label, size=28, color=colour, anchor="mm")
