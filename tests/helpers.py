"""Helpers shared by tests (fixtures live in conftest.py)."""

PASSWORD = "correct horse battery staple"


def sign_in(client, user, password: str = PASSWORD):
    """Sign in through the real sign-in form; assert it redirected (succeeded)."""
    response = client.post("/accounts/login/", {"email": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response
