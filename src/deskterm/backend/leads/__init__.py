"""The leads' desk: gestures waiting for approval, conversations flagged "needs a lead", and
macros proposed to the team. Reads in :mod:`.reads`; each decision a short transaction in
:mod:`.gestures`, :mod:`.flags` and :mod:`.proposals`."""
