"""One exception tree for the whole application.

Every error a person can see carries two plain-language parts: what happened (``message``)
and what to do next (``hint``). The CLI prints both; the GUI shows both. Messages never
contain a passphrase, and never a victim's name or a local file path unless the person
asked about that very file.
"""

from __future__ import annotations


class NciiDeskError(Exception):
    """Base of every error the application raises on purpose."""

    #: Process exit status the CLI uses for this kind of error.
    exit_code = 1
    default_hint = "If this keeps happening, note the time and contact your technical support."

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def as_dict(self) -> dict[str, str]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


# --- vault -------------------------------------------------------------------------------


class VaultError(NciiDeskError):
    """Something about the encrypted case vault."""


class VaultNotFound(VaultError):
    exit_code = 6
    default_hint = "Check the vault folder, or create a vault first with 'ncii-desk vault init'."


class VaultExists(VaultError):
    exit_code = 6
    default_hint = "Choose an empty folder for the new vault, or open the existing one."


class WrongPassphrase(VaultError):
    exit_code = 4
    default_hint = (
        "Check Caps Lock and the keyboard layout and try again. If the passphrase is lost, "
        "open the vault with the recovery key you wrote down when the vault was created."
    )


class RecoveryKeyInvalid(VaultError):
    exit_code = 4
    default_hint = (
        "Type the recovery key exactly as printed (groups of letters A-Z and digits 2-7; "
        "spaces and dashes do not matter)."
    )


class WeakPassphrase(VaultError):
    exit_code = 1
    default_hint = (
        "Choose a longer passphrase: a few unrelated words are strong and easy to remember."
    )


class VaultCorrupt(VaultError):
    """Integrity failure: a file or entry of the vault failed authentication."""

    exit_code = 3
    default_hint = (
        "Do not write to this vault. Keep a copy of the whole vault folder as it is and "
        "restore from your latest backup; the report names what is damaged."
    )

    def __init__(
        self, message: str, *, file: str, entry: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.file = file
        self.entry = entry

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data["file"] = self.file
        if self.entry is not None:
            data["entry"] = self.entry
        return data


class VaultLocked(VaultError):
    exit_code = 5
    default_hint = "Unlock the vault with your passphrase, then try again."


class VaultInUse(VaultError):
    exit_code = 5
    default_hint = (
        "Close NCII Desk in the other window (or wait for the other command to finish), "
        "then try again."
    )


class InvalidSetting(NciiDeskError):
    exit_code = 2
    default_hint = "Check the value you gave; 'ncii-desk COMMAND --help' lists the options."


class MigrationError(VaultError):
    exit_code = 3
    default_hint = (
        "This vault was written by a newer or unknown version of NCII Desk. Install the "
        "newest version; do not edit the vault by hand."
    )


# --- cases, items and input ---------------------------------------------------------------


class NotFound(NciiDeskError):
    exit_code = 1
    default_hint = "List what exists with 'ncii-desk case list' or 'ncii-desk item list CASE'."


class CaseNotFound(NotFound):
    pass


class ItemNotFound(NotFound):
    pass


class AmbiguousName(NciiDeskError):
    default_hint = "Use the case id shown by 'ncii-desk case list' instead of its label."


class InputFileError(NciiDeskError):
    """One input file could not be taken in; the rest of the batch goes on."""

    default_hint = "Check that the file exists, is readable and is not empty, then add it again."


class DecodeError(InputFileError):
    """A file's content is damaged, truncated or not what its type claims."""

    default_hint = (
        "The file may be damaged or only partly downloaded. Try to get the file again; the "
        "other files of the batch are not affected."
    )


class UnsupportedMedia(InputFileError):
    default_hint = (
        "NCII Desk reads JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF and AVIF images and MP4, "
        "MOV, WebM, MKV and AVI videos. Convert the file to one of those, or keep it as a "
        "plain evidence item."
    )


class MediaTooLarge(InputFileError):
    default_hint = (
        "The file is larger than NCII Desk decodes safely. It is still stored and hashed "
        "(SHA-256, MD5); for a perceptual hash, make a smaller copy and add that too."
    )


class CaptureError(NciiDeskError):
    """One web address (or one resource of a page) could not be captured.

    ``reason`` is a short fixed word scripts can test (dns, unreachable, tls, deadline, ...);
    the rest of the batch goes on.
    """

    default_hint = "Check the address and that this computer is online, then try again."

    def __init__(self, reason: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.reason = reason

    def as_dict(self) -> dict[str, str]:
        return super().as_dict() | {"reason": self.reason}


class ExportError(NciiDeskError):
    default_hint = "Choose a folder you can write to, with enough free space."


class SigningError(NciiDeskError):
    """The clinic certificate for signing packet PDFs cannot be used."""

    default_hint = (
        "Check the certificate file and its password, or remove the signing setting to build "
        "packets without a signature."
    )


class TimestampError(NciiDeskError):
    """No RFC 3161 time stamp could be obtained from the time-stamp authority (TSA)."""

    default_hint = (
        "Check that this computer is online and the TSA address is right ('ncii-desk clinic "
        "tsa'), or build the packet without --timestamp: it is still signed by the vault's key."
    )


class PixelsNotKept(NciiDeskError):
    default_hint = (
        "This item was marked as possibly showing a person under 18, so only its hashes and "
        "details were recorded. Report the material to NCMEC's CyberTipline (or your "
        "national hotline) using the hashes."
    )


class InternalError(NciiDeskError):
    default_hint = (
        "Nothing was lost: work finished before the problem is kept. Run 'ncii-desk vault "
        "check', and tell your technical support what you were doing (set NCII_DESK_DEBUG=1 "
        "to see the technical details)."
    )


class Cancelled(NciiDeskError):
    exit_code = 130
    default_hint = "Nothing was lost: items finished before the cancel are kept."


class MediaProcessingFailed(InputFileError):
    """A decoder or hashing step failed on one file in a way no other error describes."""

    default_hint = (
        "The other files of the batch are not affected. Keep this file as it is and tell your "
        "technical support which file it was (set NCII_DESK_DEBUG=1 to see the details)."
    )


class HandoverCorrupt(NciiDeskError):
    """A case hand-over file (.ncii) is damaged, altered or not one at all."""

    exit_code = 3
    default_hint = "Ask the sender for a fresh copy of the file; nothing was imported."


class HandoverNotForYou(NciiDeskError):
    """A case hand-over file was encrypted for another recipient (or to a passphrase)."""

    exit_code = 4


class CaseExists(NciiDeskError):
    """An imported case's id (or label) is already in this vault."""

    exit_code = 6


class MissingPackage(NciiDeskError):
    """An optional part of the application whose Python package is not installed."""

    exit_code = 8  # the CLI's "not installed"
    default_hint = "Install the optional part named in the message, then try again."
