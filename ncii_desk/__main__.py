from ncii_desk.hardening import harden_process

harden_process()  # before anything else is imported: no core dumps, no ORT telemetry

from ncii_desk.launch import main  # noqa: E402

raise SystemExit(main())
