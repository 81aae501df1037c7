"""The newsdesk.toml that `init` writes states the defaults: every value in it equals the model's."""

import tomllib

from newsdesk.config import DEFAULT_TOML, Settings


def test_default_toml_states_the_defaults():
    written = tomllib.loads(DEFAULT_TOML)
    defaults = Settings().model_dump()
    for section, values in written.items():
        for key, value in values.items():
            assert defaults[section][key] == value, (
                f"[{section}] {key} = {value!r} in DEFAULT_TOML, {defaults[section][key]!r} in the model"
            )


def test_unknown_keys_name_their_section_and_the_nearest_key(tmp_path):
    import pytest

    from newsdesk.config import ConfigError, load_settings

    (tmp_path / "newsdesk.toml").write_text("[http]\nread_timout = 5\n[verfy]\non_fail = 'hold'\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    message = str(err.value)
    assert "unknown key 'read_timout' in [http]; did you mean 'read_timeout'?" in message
    assert "unknown key 'verfy' in the top level; did you mean 'verify'?" in message


def test_bad_types_and_environment_overrides(tmp_path, monkeypatch):
    import pytest

    from newsdesk.config import ConfigError, load_settings

    (tmp_path / "newsdesk.toml").write_text("[verify]\nmin_sentences = 'three'\n")
    with pytest.raises(ConfigError, match="verify.min_sentences"):
        load_settings(tmp_path)
    (tmp_path / "newsdesk.toml").write_text("[verify]\nmin_sentences = 4\n")
    monkeypatch.setenv("NEWSDESK_VERIFY__ON_FAIL", "hold")
    settings = load_settings(tmp_path)
    assert settings.verify.min_sentences == 4 and settings.verify.on_fail == "hold"
