"""The letter types the callers of the request tracker fill in or receive (a sender, the form
of a letter, a drafted letter) and the routes a letter can take, re-exported from
``documents.letters`` so that the command line and the desktop app import them from services.

This module loads reportlab's side of the documents package: the command line loads it on
first use (``lazy_module``), never to print its help.
"""

from __future__ import annotations

from ncii_desk.documents.letters import ROUTE_TEMPLATES as ROUTE_TEMPLATES
from ncii_desk.documents.letters import Letter as Letter
from ncii_desk.documents.letters import LetterForm as LetterForm
from ncii_desk.documents.letters import Sender as Sender

__all__ = ["ROUTE_TEMPLATES", "Letter", "LetterForm", "Sender"]
