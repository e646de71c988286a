from ncii_desk.cli.main import main

raise SystemExit(main())
