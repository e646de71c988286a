"""Writes the Windows version resource (file properties > Details) for both executables."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers=({nums}),
    prodvers=({nums}),
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
        StringStruct('CompanyName', 'NCII Desk'),
        StringStruct('FileDescription', 'NCII Desk - case desk for NCII advocates'),
        StringStruct('FileVersion', '{version}'),
        StringStruct('InternalName', 'ncii-desk'),
        StringStruct('LegalCopyright', 'NCII Desk engineers'),
        StringStruct('OriginalFilename', 'ncii-desk.exe'),
        StringStruct('ProductName', 'NCII Desk'),
        StringStruct('ProductVersion', '{version}')
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def write(target: Path, version: str) -> None:
    """Write the resource file PyInstaller's ``version=`` option reads."""
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:4]]
    parts += [0] * (4 - len(parts))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        TEMPLATE.format(nums=", ".join(str(p) for p in parts), version=version), "utf-8"
    )
