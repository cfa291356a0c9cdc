from mobile_client.__main__ import main

main()
