"""`python -m shared.liveperson --issuer URL --client-id ID [--client-secret-file FILE] [...]`"""

from __future__ import annotations

from shared import contract
from shared.liveperson import create_app
from shared.liveperson.request_log import MaskedRequestLog
from shared.liveperson.settings import APP_SECRET_FILE, from_arguments


def main() -> None:
    args, settings = from_arguments()
    app = create_app(settings)
    origin = f"http://{args.host}:{args.port}"
    print(f"LivePerson stand-in for {settings.validation.issuer} (account {settings.account})")
    print(f"  inspector      {origin}/inspector")
    print(f"  Web SDK tag    {origin}/tag/tag.js?site={settings.account}")
    print(f"  pop-out window {origin}{contract.POPOUT_WINDOW_PATH}")
    if settings.validation.jwe:
        print(f"  JWE public key {origin}/api/jwe-public-key")
    bot = " (the demo bot answers questions about orders)" if settings.bot else ""
    print(f"  agent          {origin}/agent{bot}")
    secret = "as given" if settings.app_client_secret else f"in {settings.instance_folder / APP_SECRET_FILE}"
    print(f"  Get Tokens API app {settings.app_client_id}, its secret {secret}")
    callback = settings.public_url + contract.DELEGATION_CALLBACK_PATH.format(account=settings.account)
    print(f"  verification link's redirect URI (register it with the brand) {callback}", flush=True)
    # The development server is enough for a local stand-in; threads let the page's script and
    # the brand's calls proceed side by side.
    app.run(host=args.host, port=args.port, threaded=True, request_handler=MaskedRequestLog)


if __name__ == "__main__":
    main()
