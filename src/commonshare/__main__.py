from commonshare.cli import main

main()
