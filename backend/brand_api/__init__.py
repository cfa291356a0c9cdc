"""The brand's own API, as a resource server (RFC 6750): what LivePerson's bots call for the
customer with a delegated access token (Consumer Delegation). A demo of one endpoint."""
