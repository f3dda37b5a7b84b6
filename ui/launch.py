"""`python dashboard.py [--data DIR] [--users FILE] [streamlit options]`: start Streamlit on
dashboard.py, exactly as `streamlit run dashboard.py -- --data DIR --users FILE` would.

Without a users file the server listens on 127.0.0.1 only (docs/DATA.md §8), and an address
off this machine is refused; with one it listens on every interface unless told otherwise.
(`streamlit run` reads the same default from .streamlit/config.toml; ui/auth.py refuses a
client off this machine whenever there is no users file, however the server was started.)"""

from __future__ import annotations

import ipaddress
import os
import sys

LOCAL, EVERYWHERE = "127.0.0.1", "0.0.0.0"


def launch(script: str, argv: list[str]) -> None:
    from streamlit.web import cli

    from queries import labels

    from .data import arguments

    args, streamlit_args = arguments(argv)
    users = args.users or os.environ.get("FEE_USERS_FILE")
    address = given_address(streamlit_args)
    if not users and address is not None and not is_loopback(address):
        print(labels.AUTH["launch_not_local"].format(address=address), file=sys.stderr)
        sys.exit(2)
    if address is None:
        streamlit_args = ["--server.address", EVERYWHERE if users else LOCAL, *streamlit_args]
    script_args = [*(["--data", args.data] if args.data else []), *(["--users", args.users] if args.users else [])]
    sys.argv = ["streamlit", "run", *streamlit_args, script, *(["--", *script_args] if script_args else [])]
    sys.exit(cli.main())


def given_address(streamlit_args: list[str]) -> str | None:
    """--server.address X or --server.address=X among Streamlit's options, else
    $STREAMLIT_SERVER_ADDRESS; None if neither says."""
    for i, arg in enumerate(streamlit_args):
        if arg == "--server.address" and i + 1 < len(streamlit_args):
            return streamlit_args[i + 1]
        if arg.startswith("--server.address="):
            return arg.split("=", 1)[1]
    return os.environ.get("STREAMLIT_SERVER_ADDRESS") or None


def is_loopback(address: str) -> bool:
    if address.strip().lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback
