from odoorpc_server.cli import main

raise SystemExit(main())
