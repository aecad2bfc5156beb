from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
