"""The mobile app's entry point for buildozer, which packages the repository root and runs its
`main.py` on Android (buildozer.spec); on the desktop, run `python -m mobile_client`."""

from mobile_client.__main__ import main

main()
