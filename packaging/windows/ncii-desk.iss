; Inno Setup 6 script for NCII Desk (Windows x64). packaging/build.py --installer runs it as
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\ncii-desk /DOutputDir=dist /DRepoDir=. ncii-desk.iss
; (signed builds add /DSignInstaller=1 and /Sncii=<signtool command> $f: Inno Setup then signs
; the setup program and the uninstaller it carries with the same cloud-signing signtool call
; that signed the two executables before this runs).
;
; Installs per user by default (no administrator rights needed: many clinic laptops are locked
; down); IT can install for all users with /ALLUSERS or the dialog's choice. Uninstalling
; removes the program only: the encrypted vault in the user's data folder stays, because it
; holds the cases. docs/install.md says how to remove it on purpose.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ncii-desk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef RepoDir
  #define RepoDir "..\.."
#endif

[Setup]
; A fixed AppId: upgrades replace the installed copy instead of adding a second one.
AppId={{6B0C7D2E-4F1A-4E8B-9C3D-2A5E8F1B7C40}
AppName=NCII Desk
AppVersion={#AppVersion}
AppVerName=NCII Desk {#AppVersion}
AppPublisher=NCII Desk
DefaultDirName={autopf}\NCII Desk
DefaultGroupName=NCII Desk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir={#OutputDir}
OutputBaseFilename=ncii-desk-{#AppVersion}-windows-x64-setup
SetupIconFile={#RepoDir}\assets\icons\ncii-desk.ico
UninstallDisplayIcon={app}\ncii-desk-gui.exe
UninstallDisplayName=NCII Desk
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no
#ifdef SignInstaller
; The sign tool "ncii" is defined on ISCC's command line by packaging/build.py.
SignTool=ncii
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#RepoDir}\docs\install.md"; DestDir: "{app}"; DestName: "Install and verify.md"; Flags: ignoreversion
Source: "{#RepoDir}\LICENSE"; DestDir: "{app}"; DestName: "LICENSE.txt"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\NCII Desk"; Filename: "{app}\ncii-desk-gui.exe"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\NCII Desk"; Filename: "{app}\ncii-desk-gui.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\ncii-desk-gui.exe"; Description: "{cm:LaunchProgram,NCII Desk}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself wrote next to its files; never the vault or the user's folders.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
{ A quick self-test after installing (a few seconds, temporary folder, no case data): a
  failed check is shown now, before an advocate relies on the program. }
procedure CurStepChanged(CurStep: TSetupStep);
var
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    WizardForm.StatusLabel.Caption := 'Checking the installation...';
    if not Exec(ExpandConstant('{app}\ncii-desk.exe'), 'selftest', '', SW_HIDE,
                ewWaitUntilTerminated, ResultCode) or (ResultCode <> 0) then
      SuppressibleMsgBox('NCII Desk was installed, but its self-check found a problem. ' +
        'Open a Command Prompt and run:' + #13#10 + '"' + ExpandConstant('{app}') +
        '\ncii-desk.exe" selftest' + #13#10 + 'to see what failed, and send the result to ' +
        'your technical support.', mbError, MB_OK, IDOK);
  end;
end;
