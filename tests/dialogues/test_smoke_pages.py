"""Every page renders for the convener (the access matrix tests who else may open it)."""

from tests.dialogues.page_list import pages


def test_every_page_renders_for_the_convener(world, signed_in):
    client = signed_in(world.users["convener"])
    for name, url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.content[:300])
