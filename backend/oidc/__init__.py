"""What LivePerson calls: discovery, JWKS, authorization (pop-out window), token, userinfo."""
