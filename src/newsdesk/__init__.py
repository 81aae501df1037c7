"""newsdesk: an automated newsroom that turns sources into verified, cited stories."""

__version__ = "0.1.0"
USER_AGENT = f"newsdesk/{__version__} (automated newsroom; +https://pypi.org/project/newsdesk/)"
