"""Forms of the outcome pages; every rule is the actions' (site/forms.py `submit`)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.outcomes import texts
from track2.outcomes.models import Attribution, Kind
from track2.site.forms import InputRules


class DocumentForm(InputRules, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    attribution = forms.ChoiceField(label=_("Attribution"), choices=Attribution.choices)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=200_000,
        help_text=_(
            "A line “## Heading” starts a section; paragraphs are separated by a blank line. "
            "A paragraph's last line “cites: 12, 34” cites accepted statements of the room by "
            "their numbers, listed under “Statements you can cite” below."
        ),
    )


_CITES = re.compile(r"^cites?:(.*)$", re.IGNORECASE)


def _cited(listed: str) -> list[int | str]:
    """Ids from a "cites:" line. Anything that is not a whole number is passed on as written,
    so that the actions' rule (the same as the API's) names it in its refusal."""
    tokens = [t for t in re.split(r"[,\s]+", listed) if t]
    # Python refuses int() of more than 4,300 digits; such a token is no id either way.
    return [int(t) if t.isdigit() and len(t) <= 100 else t for t in tokens]


def sections_from(body: str) -> list[dict]:
    """Sections from the drafting form's plain text ("## heading" lines, blank-line paragraphs)."""
    sections: list[dict] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("## "):
            heading, _sep, rest = block.partition("\n")
            sections.append({"heading": heading[3:], "paragraphs": []})
            block = rest.strip()
            if not block:
                continue
        if not sections:
            sections.append({"heading": "Text", "paragraphs": []})
        text, _sep, last = block.rpartition("\n")
        cites = _CITES.match(last.strip())
        if cites and text.strip():
            sections[-1]["paragraphs"].append({"text": text, "cites": _cited(cites.group(1))})
        else:
            sections[-1]["paragraphs"].append({"text": block})
    return sections


def body_of(sections: list[dict]) -> str:
    """A version's sections as the drafting form writes them (the inverse of `sections_from`)."""
    blocks = []
    for section in sections:
        blocks.append(f"## {section['heading']}")
        for paragraph in section["paragraphs"]:
            cites = paragraph.get("cites") or []
            blocks.append(
                paragraph["text"] + (f"\ncites: {', '.join(map(str, cites))}" if cites else "")
            )
    return "\n\n".join(blocks)


class EditForm(InputRules, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=200_000,
        help_text=DocumentForm.base_fields["body"].help_text,
    )
    base_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647
    )


class EndorseForm(InputRules, forms.Form):
    grade = forms.ChoiceField(
        label=_("Your response"),
        choices=[(g, texts.GRADE_LABELS[g]) for g in texts.GRADES],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
    listed = forms.BooleanField(label=_("List my name (on-record documents)"), required=False)
    version_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


# Said instead of the problems of a page's hidden fields, which the writer cannot fix: the
# paragraph gone in a new version made meanwhile, or a page altered on its way.
OUT_OF_DATE = _(
    "The page was out of date: it now shows the document as it is. Check your text against "
    "it and send it again."
)


class PlainErrors(forms.Form):
    """A form whose problems the page says in plain words: no field names (they are the API's,
    not the reader's) and, for its hidden fields, the one sentence OUT_OF_DATE."""

    def page_errors(self) -> list[str]:
        """Problems that are at no field the reader sees: hidden fields' and the whole form's."""
        hidden = any(self[name].errors for name in self.fields if self[name].is_hidden)
        return ([str(OUT_OF_DATE)] if hidden else []) + list(self.non_field_errors())

    def plain_errors(self) -> list[str]:
        """Every problem, for a form whose fields the page writes by hand, several to a page."""
        seen = [e for name in self.fields if not self[name].is_hidden for e in self[name].errors]
        return self.page_errors() + seen


class ParagraphForm(InputRules, PlainErrors):
    """A form on one paragraph of the document page: refused, it comes back in that
    paragraph's box (open) with the text as typed and its problems beside it."""

    paragraph_key = forms.CharField(widget=forms.HiddenInput, max_length=16)


class AmendmentForm(ParagraphForm):
    # Optional, as in the API: without it the amendment is to the paragraph's current words.
    base_text = forms.CharField(widget=forms.HiddenInput, max_length=5000, required=False)
    text = forms.CharField(label=_("Proposed text"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)  # fmt: skip


class AlternativeForm(ParagraphForm):
    text = forms.CharField(label=_("Competing draft"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)  # fmt: skip


class DecisionForm(InputRules, PlainErrors):
    accept = forms.TypedChoiceField(
        choices=[("1", _("accept")), ("0", _("reject"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def other_errors(self) -> list[str]:
        """Problems not at the reason (said beside it): the amendment's own (decided meanwhile,
        its paragraph changed) and a forged choice."""
        return self.page_errors() + [str(error) for error in self["accept"].errors]


class RankingForm(InputRules, PlainErrors):
    paragraph_key = forms.CharField(widget=forms.HiddenInput, max_length=16)
    order = forms.CharField(
        label=_("Your order"),
        max_length=2000,
        help_text=_("Draft numbers, best first, separated by spaces or commas: 3 1 2"),
    )

    def clean_order(self) -> list[int | str]:
        """The numbers as typed, "3 1 2" or "3, 1, 2" alike. A word that is no whole number is
        passed on as written, so that the action names it among every other problem of the
        ranking (a repeated draft, a number no draft has) at once."""
        tokens = [t for t in re.split(r"[,;\s]+", self.cleaned_data["order"]) if t]
        if not tokens:
            raise forms.ValidationError(_("Write the draft numbers, best first: 3 1 2."))
        # Python refuses int() of more than 4,300 digits; the field holds at most 2,000.
        return [int(t) if t.isascii() and t.isdigit() else t for t in tokens]
