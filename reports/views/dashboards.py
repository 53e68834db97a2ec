from django.http import HttpResponse


def ward_dashboard(request, ward_id):
    return HttpResponse()


def trust_dashboard(request, trust_id):
    return HttpResponse()
