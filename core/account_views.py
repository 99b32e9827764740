"""The second factor (django-otp TOTP): enrol an authenticator app, then verify a code per session.

Any signed-in user may enrol; roles in KANDAS_OTP_REQUIRED_ROLES are sent here by
core.security.OTPRequiredMiddleware until their session is verified.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from the authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"invalid": gettext_lazy("Enter the six digits the app shows.")},
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/admin/"


def _context(request, **extra) -> dict:
    context = admin.site.each_context(request)
    context.update(next=_next_url(request), **extra)
    return context


@never_cache
@login_required
def otp_enrol(request):
    """Show a new secret as a QR code; the first correct code confirms the device."""
    if user_has_device(request.user):
        return redirect(f"{reverse('otp-verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("The code is not correct. Check the time on the phone and try the next code."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_enrol.html",
        _context(
            request,
            form=form,
            qr_svg=mark_safe(qr),  # segno's own markup, built from our URL
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            title=_("Set up the second factor"),
        ),
    )


@never_cache
@login_required
def otp_verify(request):
    """Ask for the current code of one of the user's confirmed devices."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('otp-enrol')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("The code is not correct. Check the time on the phone and try the next code."))
    return render(request, "registration/otp_verify.html", _context(request, form=form, title=_("Second factor")))
