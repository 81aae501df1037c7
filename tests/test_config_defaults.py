"""The newsdesk.toml that `init` writes states the defaults: every value in it equals the model's."""

import tomllib

from newsdesk.config import DEFAULT_TOML, Settings


def test_default_toml_states_the_defaults():
    written = tomllib.loads(DEFAULT_TOML)
    defaults = Settings().model_dump()
    for section, values in written.items():
        for key, value in values.items():
            assert defaults[section][key] == value, f"[{section}] {key} = {value!r} in DEFAULT_TOML, {defaults[section][key]!r} in the model"
