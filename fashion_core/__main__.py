from fashion_core.cli import main

raise SystemExit(main())
