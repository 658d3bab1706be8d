from track2.access import roles_remembered_for_request


class RolesPerRequestMiddleware:
    """Each request reads a viewer's roles in a dialogue once, however many checks ask."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with roles_remembered_for_request():
            return self.get_response(request)
