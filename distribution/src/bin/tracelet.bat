@echo off
rem The tracelet command. Runs dev.tracelet.cli.TraceletCli on Java 17 or newer.
rem
rem   JAVA_HOME       the Java to use (else java on the PATH)
rem   JAVA_OPTS       JVM options, e.g. -Xmx1g or -Dtracelet.project=x
rem   TRACELET_OPTS   more JVM options, after JAVA_OPTS so they win
rem
rem Settings: conf\tracelet.yaml beside this folder, a tracelet.yaml in the working directory,
rem TRACELET_* environment variables, or -Dtracelet.* in the options above ('tracelet doctor').
setlocal

rem The installation folder is the parent of this script's folder. cmd cannot follow a symbolic
rem link to a .bat file; link the folder instead, or put its bin folder on the PATH. The working
rem directory does not change: the local store lives there.
set "BASE_DIR=%~dp0.."
for %%i in ("%BASE_DIR%") do set "BASE_DIR=%%~fi"

if not defined JAVA_HOME goto javaFromPath
set "JAVA=%JAVA_HOME%\bin\java.exe"
if exist "%JAVA%" goto checkVersion
echo tracelet: JAVA_HOME is "%JAVA_HOME%", but "%JAVA%" does not exist. Point JAVA_HOME at a Java 17 or newer installation, or unset it to use java on the PATH. 1>&2
exit /b 1

:javaFromPath
set "JAVA="
for %%i in (java.exe) do set "JAVA=%%~$PATH:i"
if defined JAVA goto checkVersion
echo tracelet: no Java found. Install Java 17 or newer and put it on the PATH, or set JAVA_HOME to its folder. 1>&2
exit /b 1

:checkVersion
rem The first line of 'java -version' holds the version in quotes: "17.0.2", "21", "1.8.0_392".
set "JAVA_VERSION="
for /f "tokens=3" %%v in ('call "%JAVA%" -version 2^>^&1 ^| findstr /i "version"') do (
  if not defined JAVA_VERSION set "JAVA_VERSION=%%~v"
)
set "JAVA_MAJOR="
for /f "delims=._-+ tokens=1,2" %%a in ("%JAVA_VERSION%") do (
  if "%%a"=="1" (set "JAVA_MAJOR=%%b") else (set "JAVA_MAJOR=%%a")
)
if not defined JAVA_MAJOR goto tooOld
if %JAVA_MAJOR% LSS 17 goto tooOld
goto run

:tooOld
echo tracelet: needs Java 17 or newer, but "%JAVA%" is version "%JAVA_VERSION%". Set JAVA_HOME to a Java 17 or newer installation. 1>&2
exit /b 1

:run
rem JAVA_OPTS and TRACELET_OPTS are expanded unquoted so that they split into words. The class
rem path stays quoted: the JVM, not cmd, expands lib\*.
"%JAVA%" "-Dtracelet.home=%BASE_DIR%" %JAVA_OPTS% %TRACELET_OPTS% -cp "%BASE_DIR%\lib\*" dev.tracelet.cli.TraceletCli %*
exit /b %ERRORLEVEL%
