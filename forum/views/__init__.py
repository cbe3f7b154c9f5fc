from django.http import HttpRequest, HttpResponse


def health(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers (and the hello-world baseline of the benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")
