from django.http import HttpResponse


def ward_export(request, ward_id, dataset, fmt):
    return HttpResponse()


def trust_export(request, trust_id, dataset, fmt):
    return HttpResponse()
