"""Story pages (微故事): the list with search and filters; the grid logs to collect from; a story's page with its
people and their consent, photos and the review buttons; the form to write or change one; the booklet to print.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal is shown
beside the field it concerns, or at the top of the story's page. Removing a person or a photo and withdrawing
a consent ask first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, CIVIC_WRITE, Scope
from linli.civic.stories import access, booklet, consent, photos, services, workflow
from linli.civic.stories.models import SOURCES, STATES
from linli.civic.stories.schemas import CollectIn, ConsentIn, PersonIn, ReturnIn, StoryIn, StoryOut, StoryUpdate
from linli.errors import DomainError, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

STATE_LABELS = {"draft": "Draft", "review": "In review", "published": "Published", "withdrawn": "Withdrawn"}
SOURCE_LABELS = {"log": "From a grid log", "direct": "Written directly"}
CONSENT_LABELS = {
    "pending": "Consent pending",
    "given": "Consent given",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
}
WAY_LABELS = {"in_person": "In person", "signed": "Signed form", "phone": "By phone", "online": "Online"}
SHOWN = {
    "area_id",
    "title",
    "body",
    "name",
    "resident_id",
    "consent",
    "way",
    "on",
    "witness",
    "note",
    "photo",
    "log_id",
}


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings (a file sent is kept as it is)."""
    form = await request.form()
    return {k: v for k, v in form.items()}


FormData = Annotated[dict[str, Any], Depends(form_data)]


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the story templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    return {
        "state_label": of(STATE_LABELS),
        "source_label": of(SOURCE_LABELS),
        "consent_label": of(CONSENT_LABELS),
        "way_label": of(WAY_LABELS),
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"stories/{template}", {**labels(request), "nav": "stories", **context}, status=status)


def options(table: dict[str, str], codes: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    return [(c, translate(table[c], locale)) for c in codes]


def _errors(error: ValidationError | DomainError, locale: str) -> dict[str, list[str]]:
    return field_errors(error, locale, SHOWN)


def _text(form: dict[str, Any], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


# ---- the list ---------------------------------------------------------------------------------


@router.get("/stories", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    area_id: str = "",
    state: str = "",
    source: str = "",
    page: str = "1",
) -> Response:
    """Return the stories the user sees; an htmx request (typing in the box) gets only the results."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        raise NotFound("story")
    f = services.StoryFilter(
        area_id=as_int(area_id, 1),
        state=state if state in STATES and scope.can(CIVIC_READ) else None,
        source=source if source in SOURCES else None,
        q=q[:40],
    )
    size = get_runtime(request).settings.page_size
    results = services.list_stories(session, scope, f, as_int(page, 1, 100000) or 1, size)
    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"area_id": area_id, "state": state, "source": source},
        "results": results,
        "page_url": pager_url(request),
        "can_write": scope.can(CIVIC_WRITE),
        "staff": scope.can(CIVIC_READ),
    }
    if is_htmx(request):
        return render(request, "stories/list.html", {**labels(request), **context}, block="results")
    locale = get_locale(request)
    context["named"] = services.named_in(session, scope)
    context["area_options"] = [(str(i), n) for i, n in services.area_choices(session, scope, CIVIC_READ)]
    context["state_options"] = options(STATE_LABELS, STATES, locale)
    context["source_options"] = options(SOURCE_LABELS, SOURCES, locale)
    return show(request, "list.html", context)


# ---- writing ------------------------------------------------------------------------------------


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    story: StoryOut | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "scope": scope,
        "story": story,
        "values": values,
        "errors": errors or {},
        "area_options": [(str(i), n) for i, n in services.area_choices(session, scope, CIVIC_WRITE)],
    }
    return show(request, "form.html", context, status=422 if errors else 200)


@router.get("/stories/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an empty story form."""
    scope.require(CIVIC_WRITE)
    return _form(request, session, scope, {"area_id": area_id})


@router.post("/stories/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Write the story and open it; a refusal shows the form again with each error beside its field."""
    scope.require(CIVIC_WRITE)
    values = {k: _text(form, k) for k in ("area_id", "title", "body")}
    try:
        area = as_int(values["area_id"], 1)
        if area is None:
            raise Invalid("story.area", "Choose the area the story belongs to.", "area_id")
        made = services.create_story(session, scope, StoryIn(area_id=area, title=values["title"], body=values["body"]))
    except (ValidationError, DomainError) as error:
        return _form(request, session, scope, values, errors=_errors(error, get_locale(request)))
    return RedirectResponse(f"/stories/{made.id}", status_code=303)


@router.get("/stories/from-logs", include_in_schema=False)
def logs_page(request: Request, scope: Access, session: SessionDep, area_id: str = "", page: str = "1") -> Response:
    """Return the grid logs in reach whose story worth keeping is not yet collected."""
    scope.require(CIVIC_WRITE)
    size = get_runtime(request).settings.page_size
    results = services.log_candidates(session, scope, as_int(area_id, 1), as_int(page, 1, 100000) or 1, size)
    return show(request, "from_logs.html", {"scope": scope, "results": results, "page_url": pager_url(request)})


@router.post("/stories/from-logs", include_in_schema=False)
def collect_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Make a draft of a grid log's story and open it to edit."""
    scope.require(CIVIC_WRITE)
    try:
        made = services.collect(session, scope, CollectIn(log_id=as_int(form.get("log_id"), 1) or 0))
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        results = services.log_candidates(session, scope, None, 1, get_runtime(request).settings.page_size)
        context = {
            "scope": scope,
            "results": results,
            "page_url": pager_url(request),
            "error": error.text(get_locale(request)),
        }
        return show(request, "from_logs.html", context, status=error.status)
    return RedirectResponse(f"/stories/{made.id}/edit", status_code=303)


@router.get("/stories/booklet", include_in_schema=False)
def booklet_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return the printable booklet 《远亲不如近邻》微故事集 of an area: its published stories only."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        raise NotFound("story")
    book = booklet.booklet(session, scope, as_int(area_id, 1) if area_id else None)
    return show(request, "booklet.html", {"scope": scope, "book": book, "printed_on": clock.today()})


@router.get("/stories/{story_id}/edit", include_in_schema=False)
def edit_page(story_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the story."""
    scope.require(CIVIC_WRITE)
    story, _ = access.load(session, scope, story_id, CIVIC_WRITE)
    shown = services.get_story(session, scope, story.id)
    values = {"title": shown.title, "body": shown.body, "version": str(shown.version)}
    return _form(request, session, scope, values, shown)


@router.post("/stories/{story_id}/edit", include_in_schema=False)
def update_page(story_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the story (a published one goes back to review)."""
    scope.require(CIVIC_WRITE)
    access.load(session, scope, story_id, CIVIC_WRITE)
    values = {k: _text(form, k) for k in ("title", "body", "version")}
    try:
        data = StoryUpdate(version=as_int(values["version"]) or 0, title=values["title"], body=values["body"])
        services.update_story(session, scope, story_id, data)
    except (ValidationError, DomainError) as error:
        shown = services.get_story(session, scope, story_id)
        return _form(request, session, scope, values, shown, _errors(error, get_locale(request)))
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


# ---- a story's page ------------------------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, story_id: int, status: int = 200, **extra: Any) -> Response:
    story = services.get_story(session, scope, story_id)
    path = access.area_path(session, story.area_id)
    can_write = scope.reaches(CIVIC_WRITE, path)
    resident_q = str(extra.pop("resident_q", ""))
    locale = get_locale(request)
    context = {
        "scope": scope,
        "story": story,
        "can_write": can_write,
        "can_manage": scope.reaches(CIVIC_MANAGE, path),
        "can_submit": can_write and (story.author_id == scope.user_id or scope.reaches(CIVIC_MANAGE, path)),
        "resident_q": resident_q,
        "choices": consent.resident_choices(session, scope, story_id, resident_q) if resident_q and can_write else [],
        "way_options": options(WAY_LABELS, consent.STAFF_WAYS, locale),
        "consent_options": options(CONSENT_LABELS, ("given", "refused", "withdrawn"), locale),
        "today": clock.today().isoformat(),
        "errors": {},
        **extra,
    }
    return show(request, "detail.html", context, status=status)


def _refused(request: Request, scope: Scope, session: Any, story_id: int, error: Exception) -> Response:
    if isinstance(error, NotFound):
        raise error
    assert isinstance(error, (ValidationError, DomainError))
    errors = _errors(error, get_locale(request))
    status = error.status if isinstance(error, DomainError) else 422
    return _page(request, scope, session, story_id, status=status, errors=errors)


@router.get("/stories/{story_id}", include_in_schema=False)
def detail_page(story_id: int, request: Request, scope: Access, session: SessionDep, resident_q: str = "") -> Response:
    """Return a story: its text and photos; for staff, the people it names with their consent, and the review."""
    return _page(request, scope, session, story_id, resident_q=resident_q[:20])


@router.post("/stories/{story_id}/submit", include_in_schema=False)
def submit_page(story_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Send the story for review."""
    try:
        workflow.submit(session, scope, story_id)
    except DomainError as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/publish", include_in_schema=False)
def publish_page(story_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Publish the story; refused (and said who lacks it) while anyone named has not consented."""
    try:
        workflow.publish(session, scope, story_id)
    except DomainError as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/return", include_in_schema=False)
def return_page(story_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Return the story to its author as a draft, with a note."""
    try:
        workflow.return_story(session, scope, story_id, ReturnIn(note=_text(form, "note")))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/people", include_in_schema=False)
def person_page(story_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Name a person in the story (a resident chosen from the search, or a name)."""
    try:
        data = PersonIn(
            name=_text(form, "name"), resident_id=as_int(form.get("resident_id"), 1), note=_text(form, "note")
        )
        consent.add_person(session, scope, story_id, data)
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}#people", status_code=303)


@router.post("/stories/{story_id}/people/{person_id}/consent", include_in_schema=False)
def consent_page(
    story_id: int, person_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Record a consent (staff), or give or withdraw one's own (the person online); a withdrawal asks first."""
    wanted = _text(form, "consent")
    if wanted == "withdrawn" and form.get("confirm") != "yes":
        story = services.get_story(session, scope, story_id)
        person = next((p for p in story.people if p.id == person_id), None)
        if person is None:
            raise NotFound("story_person")
        fields = {k: _text(form, k) for k in ("way", "on", "witness", "note")}
        context = {"scope": scope, "story": story, "person": person, "fields": fields, "what": "consent"}
        return show(request, "confirm.html", context)
    day = _text(form, "on")
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        problem = Invalid("story.consent_date_form", "Enter a date such as 2026-01-31.", "on")
        return _refused(request, scope, session, story_id, problem)
    try:
        data = ConsentIn(
            consent=wanted,
            way=_text(form, "way") or "online",
            on=on,
            witness=_text(form, "witness"),
            note=_text(form, "note"),
        )
        consent.record_consent(session, scope, story_id, person_id, data)
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}#people", status_code=303)


@router.post("/stories/{story_id}/people/{person_id}/remove", include_in_schema=False)
def remove_person_page(
    story_id: int, person_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Ask first, then take the person out of the story."""
    story = services.get_story(session, scope, story_id)
    person = next((p for p in story.people if p.id == person_id), None)
    remove = lambda: consent.remove_person(session, scope, story_id, person_id)  # noqa: E731
    return _remove_after_asking(request, scope, session, form, story, person, "person", remove)


@router.post("/stories/{story_id}/photos", include_in_schema=False)
async def photo_page(story_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Add a photo (from the phone's camera) and show the story again."""
    form = await request.form()
    upload = form.get("photo")
    content = await upload.read(uploads.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    caption = form.get("caption")
    try:
        if not content:
            raise Invalid("story.photo_required", "Choose a photo to add.", "photo")
        photos.add_photo(session, scope, story_id, content, caption if isinstance(caption, str) else "")
    except DomainError as error:
        return _refused(request, scope, session, story_id, error)
    return RedirectResponse(f"/stories/{story_id}#photos", status_code=303)


@router.post("/stories/{story_id}/photos/{story_photo_id}/remove", include_in_schema=False)
def remove_photo_page(
    story_id: int, story_photo_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Ask first, then take the photo off the story."""
    story = services.get_story(session, scope, story_id)
    photo = next((p for p in story.photos if p.id == story_photo_id), None)
    remove = lambda: photos.remove_photo(session, scope, story_id, story_photo_id)  # noqa: E731
    return _remove_after_asking(request, scope, session, form, story, photo, "photo", remove)


def _remove_after_asking(
    request: Request,
    scope: Scope,
    session: Session,
    form: Any,
    story: Any,
    item: Any,
    what: str,
    remove: Callable[[], object],
) -> Response:
    """Show the confirmation for ``item`` (a person or a photo of ``story``) or, once confirmed, remove it."""
    if item is None or not scope.can(CIVIC_WRITE):
        raise NotFound("story_person" if what == "person" else "photo")
    if form.get("confirm") != "yes":
        return show(request, "confirm.html", {"scope": scope, "story": story, what: item, "what": what})
    try:
        remove()
    except DomainError as error:
        return _refused(request, scope, session, story.id, error)
    anchor = "people" if what == "person" else "photos"
    return RedirectResponse(f"/stories/{story.id}#{anchor}", status_code=303)
