from allauth.account.internal.flows.email_verification import send_verification_email_for_user
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.account.views import ConfirmEmailView, SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from registro.core.errors import ApplicationError
from registro.core.forms import add_application_error

from . import mfa, selectors, services, sessions
from .forms import ProfileForm, ResendConfirmationForm, TermsForm, UsernameChangeForm
from .middleware import SESSION_KEY
from .signup_forms import PROFILE_FIELDS

HISTORY_PAGE_SIZE = 25


class RegistrarUsuarioView(SignupView):
    """Section 1, "Registrar usuario". Runs in one transaction (see config/urls.py); when a
    simultaneous registration takes the same username, e-mail or document first, the database
    constraint decides and this one gets a clear error instead of a server error."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            form.add_error(
                None,
                _(
                    "Otra persona acaba de registrar el mismo nombre de usuario, correo electrónico o documento. "
                    "Revise sus datos e intente de nuevo."
                ),
            )
            return self.form_invalid(form)


class ConfirmarRegistroView(ConfirmEmailView):
    """Section 2, "Confirmar registro": following the e-mail's link and confirming accepts the
    terms and conditions, recorded with their version (R1.5)."""

    template_name = "account/email_confirm.html"

    def _needs_terms(self, confirmation) -> bool:
        # A later e-mail change is confirmed by someone who already accepted the current terms.
        return confirmation is None or not selectors.terms_is_accepted(user=confirmation.email_address.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("terms_form", TermsForm())
        ctx["terms_version"] = selectors.terms_current_version()
        ctx["needs_terms"] = self._needs_terms(self.object)
        return ctx

    def post(self, *args, **kwargs):
        try:
            self.object = confirmation = self.get_object()
        except Http404:
            # Used, expired or mistyped link: the page says so and offers a new one.
            self.object = None
            return self.render_to_response(self.get_context_data(), status=400)
        needs_terms = self._needs_terms(confirmation)
        form = TermsForm(self.request.POST)
        if needs_terms and not form.is_valid():
            return self.render_to_response(self.get_context_data(terms_form=form), status=400)
        address = confirmation.email_address
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            if EmailAddress.objects.filter(pk=address.pk, verified=True).exists():
                # Single use: the link stops working once it has confirmed the address.
                EmailConfirmation.objects.filter(email_address=address).delete()
                if needs_terms:
                    services.terms_accept(
                        user=address.user,
                        version=selectors.terms_current_version(),
                        client=services.ClientInfo.from_request(self.request),
                    )
        return response


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = selectors.user_get_by_login(login=form.cleaned_data["login"])
        if user is not None and not EmailAddress.objects.filter(user=user, verified=True).exists():
            send_verification_email_for_user(request, user)
        # Same answer whether or not the account exists.
        messages.info(
            request,
            _(
                "Si hay un usuario sin confirmar con esos datos, le enviamos un nuevo correo de confirmación. "
                "Revise también la carpeta de correo no deseado o spam."
            ),
        )
        return redirect("account_login")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def terms(request):
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    form = TermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = selectors.terms_current_version()
        services.terms_accept(user=request.user, version=version, client=services.ClientInfo.from_request(request))
        request.session[SESSION_KEY] = version
        return redirect(next_url)
    return render(
        request,
        "accounts/terms.html",
        {
            "form": form,
            "next": next_url,
            "terms_version": selectors.terms_current_version(),
            "previous": selectors.terms_latest_acceptance(user=request.user),
        },
    )


@login_required
def user_settings(request):
    return render(request, "accounts/settings.html", {"profile_user": request.user})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    initial = {name: getattr(user, name) for name in PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user,
                data={name: form.cleaned_data[name] for name in PROFILE_FIELDS},
                client=services.ClientInfo.from_request(request),
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Sus datos personales fueron actualizados."))
            return redirect("accounts:settings")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def accesses(request):
    form = UsernameChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_username(
                user=request.user,
                new_username=form.cleaned_data["new_username"],
                current_password=form.cleaned_data["current_password"],
                client=services.ClientInfo.from_request(request),
                request=request,
                keep_session=True,
            )
        except ApplicationError as exc:
            detail = exc.detail.get("fields") or {}
            if "username" in detail:
                exc.detail["fields"]["new_username"] = detail.pop("username")
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Su nombre de usuario ahora es «%(username)s».") % {"username": request.user.username}
            )
            return redirect("accounts:accesses")
    page = Paginator(selectors.access_event_list(user=request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    active = sessions.session_list(user=request.user, current_key=request.session.session_key)
    return render(
        request,
        "accounts/accesses.html",
        {
            "form": form,
            "page": page,
            "sesiones": active,
            "second_factors": mfa.second_factors(user=request.user),
        },
    )


@login_required
def sessions_page(request):
    return redirect(reverse("accounts:accesses") + "#sesiones")


def _to_sessions():
    return redirect(reverse("accounts:accesses") + "#sesiones")


@login_required
@require_POST
def session_end(request, pk: int):
    """ "Cerrar" on one of the other sessions of "Sesiones activas"."""
    try:
        sessions.session_end(
            user=request.user,
            session_id=pk,
            current_key=request.session.session_key,
            client=services.ClientInfo.from_request(request),
        )
    except ApplicationError as exc:
        if exc.status_code == 404:  # another user's session, or one that already ended
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cerramos esa sesión: quien la usaba tendrá que entrar de nuevo."))
    return _to_sessions()


@login_required
@require_POST
def sessions_end_others(request):
    """ "Cerrar las demás sesiones": every session but this one."""
    ended = sessions.sessions_end_others(
        user=request.user, current_key=request.session.session_key, client=services.ClientInfo.from_request(request)
    )
    messages.success(
        request,
        _("Cerramos sus demás sesiones (%(n)d). Esta sigue abierta.") % {"n": ended}
        if ended
        else _("No tenía otras sesiones abiertas."),
    )
    return _to_sessions()
