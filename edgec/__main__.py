from edgec.cli.main import main

main()
