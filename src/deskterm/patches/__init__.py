"""deskterm's changes to how Textual behaves, each with its reason, in one place.

Checked against Textual ``8.2.8``, which ``pyproject.toml`` pins exactly. Every change has a
test that fails the day upstream no longer needs it (tests/unit/test_textual_patches_needed.py,
tests/app/test_barrier.py) and one that fails if the function it changes changes shape.

- ``rendering``: two caches of Textual's that kept what it drew alive (a reference cycle per
  strip, the styles caches of dead widgets);
- ``barrier``: no exception ends the workstation (Textual's message dispatch and its
  last-resort exception hook, wrapped).

The footer that keeps no dead keys is a widget of its own: ``widgets/key_footer.py``.
"""

#: The Textual release every change here was checked against.
TEXTUAL_CHECKED = "8.2.8"
