"""`python -m shared.liveperson --issuer URL --client-id ID [--client-secret-file FILE] [...]`"""

from __future__ import annotations

from shared import contract
from shared.liveperson import create_app
from shared.liveperson.request_log import MaskedRequestLog
from shared.liveperson.settings import from_arguments


def main() -> None:
    args, settings = from_arguments()
    app = create_app(settings)
    origin = f"http://{args.host}:{args.port}"
    print(f"LivePerson stand-in for {settings.validation.issuer} (account {settings.account})")
    print(f"  inspector      {origin}/inspector")
    print(f"  Web SDK tag    {origin}/tag/tag.js?site={settings.account}")
    print(f"  pop-out window {origin}{contract.POPOUT_WINDOW_PATH}")
    print(f"  JWE public key {origin}/api/jwe-public-key", flush=True)
    # The development server is enough for a local stand-in; threads let the page's script and
    # the brand's calls proceed side by side.
    app.run(host=args.host, port=args.port, threaded=True, request_handler=MaskedRequestLog)


if __name__ == "__main__":
    main()
