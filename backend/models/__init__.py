"""What the backend stores: one module per stored artifact."""

from backend.models.authorization_code import AuthorizationCode
from backend.models.base import Base
from backend.models.client import Client
from backend.models.consent import Consent
from backend.models.login_attempt import LoginFailure
from backend.models.login_session import LoginSession
from backend.models.order import Order
from backend.models.refresh_token import RefreshToken
from backend.models.signing_key import SigningKey
from backend.models.user import User

__all__ = [
    "AuthorizationCode",
    "Base",
    "Client",
    "Consent",
    "LoginFailure",
    "LoginSession",
    "Order",
    "RefreshToken",
    "SigningKey",
    "User",
]
