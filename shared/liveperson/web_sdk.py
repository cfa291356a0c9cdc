"""The Web SDK tag and the pop-out window (being written)."""

from flask import Blueprint

bp = Blueprint("web_sdk", __name__)
