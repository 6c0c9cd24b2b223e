# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a call goes in test mode: a realistic end, decided by the number called.

The last digit of the customer's number decides, so a demonstration or a test
picks its outcome by its numbers: 0 to 5 answered (talked 30 s to 3 min), 6 and 7
not answered, 8 busy, 9 failed.

>>> simulate("+919820012345")
('completed', 73)
>>> simulate("+919820012346"), simulate("+919820012348"), simulate("+919820012349")
(('no-answer', 0), ('busy', 0), ('failed', 0))
>>> simulate(None)
('completed', 30)
"""

#: the end of a simulated call by the last digit of the number called
BY_LAST_DIGIT = {6: "no-answer", 7: "no-answer", 8: "busy", 9: "failed"}


def simulate(number):
    """``(status, seconds talked)`` of a simulated call to ``number``."""
    digits = "".join(c for c in number or "" if c.isdigit()) or "0"
    status = BY_LAST_DIGIT.get(int(digits[-1]), "completed")
    talked = 30 + int(digits[-3:]) % 151 if status == "completed" else 0
    return status, talked
