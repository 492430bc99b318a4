# Cài truyenthanh trên máy Windows của đài (Windows 10/11, PowerShell 5.1 trở lên, chạy với quyền Administrator).
# Installs truyenthanh on a station's Windows PC: Python, ffmpeg and espeak-ng through winget, the package in its
# own virtual environment (run time only), the station folder, a boot task that starts the daemon, and a
# Start-menu shortcut to the TUI.
#
# NOT TESTED BY OUR CI (it runs Linux only): see the README, "Cài đặt trên máy trạm / Windows / bo mạch ARM".
#
#   powershell -ExecutionPolicy Bypass -File scripts\install.ps1 [-Prefix C:\truyenthanh] [-DataDir C:\truyenthanh\dai]
#                                                                [-Source .] [-NoTask]
param(
    [string]$Prefix = "$env:ProgramFiles\truyenthanh",
    [string]$DataDir = "$env:ProgramData\truyenthanh",
    [string]$Source = (Resolve-Path "$PSScriptRoot\.."),
    [switch]$NoTask
)
$ErrorActionPreference = "Stop"

function Need-Admin {
    $identity = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
    if (-not $identity.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw "Hãy chạy PowerShell bằng quyền Administrator (chuột phải > Run as administrator)."
    }
}

function Install-WithWinget([string]$Id, [string]$Label) {
    if (-not (Get-Command winget -ErrorAction SilentlyContinue)) {
        throw "Không có winget (App Installer). Hãy cài App Installer từ Microsoft Store, hoặc cài $Label bằng tay."
    }
    Write-Host "Cài $Label ($Id)..."
    winget install --id $Id --exact --silent --accept-package-agreements --accept-source-agreements | Out-Null
    # winget returns non-zero when the package is already installed: not an error here.
}

Need-Admin

# 1. Python 3.11 or later, ffmpeg and espeak-ng (espeak-ng's installer does not add itself to PATH: the daemon
#    finds it in "C:\Program Files\eSpeak NG" by itself, or through the espeak_path setting).
$python = Get-Command py -ErrorAction SilentlyContinue
if (-not $python) { Install-WithWinget "Python.Python.3.12" "Python 3.12" }
Install-WithWinget "Gyan.FFmpeg" "ffmpeg"
Install-WithWinget "eSpeak-NG.eSpeak-NG" "espeak-ng"
$env:Path = [Environment]::GetEnvironmentVariable("Path", "Machine") + ";" + [Environment]::GetEnvironmentVariable("Path", "User")

# 2. The package, run time only, in its own virtual environment.
New-Item -ItemType Directory -Force -Path $Prefix | Out-Null
$venv = Join-Path $Prefix "venv"
if (-not (Test-Path (Join-Path $venv "Scripts\python.exe"))) { py -3 -m venv $venv }
$venvPython = Join-Path $venv "Scripts\python.exe"
& $venvPython -m pip install -q --upgrade pip
& $venvPython -m pip install -q --upgrade $Source
if ($LASTEXITCODE -ne 0) { throw "pip không cài được truyenthanh từ $Source." }
Copy-Item (Join-Path $Source "README.md"), (Join-Path $Source "LICENSE") $Prefix -Force
$program = Join-Path $venv "Scripts\truyenthanh.exe"

# 3. The station folder. Windows has no Unix sockets: the daemon listens on 127.0.0.1 with a secret token kept in
#    the station folder's run\control.json, which only Administrators, SYSTEM and the operators' accounts given
#    access below may read.
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
icacls $DataDir /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "${env:USERNAME}:(OI)(CI)M" | Out-Null
& $program --data-dir $DataDir init | Out-Null

# 4. The daemon at every boot (a scheduled task running as SYSTEM), started now.
if (-not $NoTask) {
    & $program --data-dir $DataDir service install
    if ($LASTEXITCODE -ne 0) { throw "Không tạo được tác vụ tự chạy dịch vụ phát." }
}

# 5. A Start-menu shortcut to the TUI.
$shortcutPath = Join-Path ([Environment]::GetFolderPath("CommonPrograms")) "Truyền thanh xã.lnk"
$shell = New-Object -ComObject WScript.Shell
$shortcut = $shell.CreateShortcut($shortcutPath)
$shortcut.TargetPath = $program
$shortcut.Arguments = "--data-dir `"$DataDir`""
$shortcut.WorkingDirectory = $DataDir
$shortcut.Description = "Giao diện điều khiển đài truyền thanh xã"
$shortcut.Save()

Write-Host "Xong. Mở «Truyền thanh xã» trong menu Start. Tình trạng: `"$program`" --data-dir `"$DataDir`" status"
