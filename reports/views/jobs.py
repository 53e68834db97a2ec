from django.http import HttpResponse


def request_ward_report(request, round_id):
    return HttpResponse()


def request_board_pack(request, trust_id):
    return HttpResponse()


def job_detail(request, job_id):
    return HttpResponse()


def job_download(request, job_id):
    return HttpResponse()


def job_retry(request, job_id):
    return HttpResponse()
