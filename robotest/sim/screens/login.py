"""The login screen: Welcome, the user, a password field; a wrong password shows an error."""

from __future__ import annotations

from collections.abc import Hashable

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen, typed_character

WRONG_PASSWORD = "The password is incorrect. Try again."
FIELD = (740, 640, 1180, 700)


class LoginScreen(Screen):
    name = "login"
    shows_pointer = True

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.typed = ""
        self.error = False

    def key_down(self, key: str) -> None:
        if key == "Enter":
            if self.typed == self.machine.image.password:
                self.machine.enter("desktop")
                return
            self.error = True
            self.typed = ""
        elif key == "Backspace":
            self.typed = self.typed[:-1]
        elif key == "Esc":
            self.typed = ""
        elif key == "Power":
            self.machine.enter("shutdown")
        else:
            char = typed_character(key, self.machine.modifiers)
            if char is not None and len(self.typed) < 64:
                self.typed += char

    def click(self, x: int, y: int, button: str) -> None:
        arrow = (FIELD[2] + 10, FIELD[1], FIELD[2] + 70, FIELD[3])
        if button == "left" and arrow[0] <= x <= arrow[2] and arrow[1] <= y <= arrow[3]:
            self.key_down("Enter")

    def clock_token(self, now: float) -> Hashable:
        return self.machine.time_of_day(now).strftime("%H:%M")

    def draw(self, painter: Painter, now: float) -> None:
        image = self.machine.image
        painter.vertical_gradient((0, 0, 1920, 1080), (24, 40, 78), (70, 110, 160))
        painter.text((960, 300), "Welcome", size=64, face="bold", anchor="mm")
        painter.ellipse((890, 370, 1030, 510), fill=(210, 220, 235))
        painter.ellipse((935, 395, 985, 445), fill=(120, 135, 160))
        painter.draw.pieslice((905, 450, 1015, 560), 180, 360, fill=(120, 135, 160))
        painter.text((960, 580), image.user, size=36, anchor="mm")
        painter.rect(FIELD, fill=(255, 255, 255), outline=(40, 60, 100), width=2)
        if self.typed:
            dots = "\u25cf" * len(self.typed)
            painter.text((FIELD[0] + 16, 670), dots, size=24, color=(20, 20, 20), anchor="lm")
        else:
            painter.text(
                (FIELD[0] + 16, 670), "Password", size=24, color=(120, 120, 120), anchor="lm"
            )
        painter.rect((FIELD[2] + 10, FIELD[1], FIELD[2] + 70, FIELD[3]), fill=(40, 90, 170))
        painter.text((FIELD[2] + 40, 670), "\u2192", size=32, anchor="mm")
        if self.error:
            painter.text((960, 750), WRONG_PASSWORD, size=26, color=(255, 190, 190), anchor="mm")
        painter.text(
            (960, 820), "Press Enter to sign in", size=22, color=(220, 230, 245), anchor="mm"
        )
        clock = self.machine.time_of_day(now)
        painter.text((80, 860), clock.strftime("%H:%M"), size=96, face="light")
        painter.text((86, 980), clock.strftime("%A, %B %d"), size=32)
