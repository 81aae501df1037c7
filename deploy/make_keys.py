"""The deployment's database password, made once (``docker compose up`` runs this first).

Writes ``db_password`` (read by the PostgreSQL image as POSTGRES_PASSWORD_FILE) and ``store_url``
(read by newsdesk as NEWSDESK_STORE__URL_FILE) into the folder given, unless they are there
already. The folder is a volume mounted only into this deployment's containers, read-only; the
files are readable by every user there because the database and newsdesk run as different ones.
"""

import os
import secrets
import sys
from pathlib import Path


def main(folder: str, host: str = "db", user: str = "newsdesk", database: str = "newsdesk") -> None:
    keys = Path(folder)
    password_file, url_file = keys / "db_password", keys / "store_url"
    if password_file.exists() and url_file.exists():
        print(f"keys: kept the existing {password_file} and {url_file}")
        return
    password = secrets.token_urlsafe(24)  # URL-safe: it goes into the store URL unquoted
    for path, text in ((password_file, password), (url_file, f"postgresql+psycopg://{user}:{password}@{host}:5432/{database}")):
        temporary = path.with_suffix(".new")
        temporary.write_text(text + "\n", encoding="utf-8")
        os.chmod(temporary, 0o444)
        temporary.replace(path)
    print(f"keys: made a new database password in {password_file} and the store URL in {url_file}")


if __name__ == "__main__":
    main(*sys.argv[1:])
