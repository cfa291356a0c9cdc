"""`python -m web_client --host H --port P --backend-url URL --liveperson-url URL
[--liveperson-account ID --flow code|implicit]`; every option also reads a `WEB_CLIENT_*` variable."""

from __future__ import annotations

from web_client import create_app
from web_client.settings import from_arguments


def main() -> None:
    args, settings = from_arguments()
    app = create_app(settings)
    print(f"Brand website on http://{args.host}:{args.port}/ (backend {settings.backend_url})")
    print(f"  Web SDK tag    {settings.tag_url()}", flush=True)
    # A static site with no server-side state: the development server is enough, threaded so that
    # the page's files load side by side.
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
