"""`track2 impact ACTION DIALOGUE … --by EMAIL`: the impact app from the shell — list and write
recommendations, record relays and reactions, open and close surveys, read a closed survey's
comments and the evaluation (text, JSON, CSV, HTML, PDF). The same actions, access rules and
disclosure layer as the pages and the API; every output carries the status line. Survey answers
are not taken here: the instruments are asked the same way (web) every time (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from track2.access import NotFound
from track2.access.impact import (
    access_evaluation,
    access_impact,
    access_recommendation,
    access_recommendations,
    access_survey_comments,
)
from track2.accounts.models import User
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused
from track2.impact import actions, queries, report

FORMATS = ("text", "json", "csv", "html", "pdf")
# The action's field → the option that gave it, so a refusal names what to change.
OPTION_OF = {"owner_id": "--owner", "relay_id": "--relay", "document_id": "--document",
             "round_number": "--round", "meeting_id": "--meeting", "survey": "SURVEY",
             "relay_sensitivity": "--set"}  # fmt: skip


def _option(field: str | None) -> str:
    if not field:
        return ""
    head = field.split(".", 1)[0]
    return OPTION_OF.get(head, "--" + head.replace("_", "-"))


def _refusal(refusal: ActionRefused) -> str:
    lines = [f"{_option(f)}: {m}" if f else m for f, m in refusal.problems]
    return " ".join(lines) + " Nothing was written."


class Command(BaseCommand):
    help = (
        "Policy impact from the shell: recommendations, relays, reactions, surveys, comments "
        "and the evaluation of a dialogue (see docs/impact.md)."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        def action(name: str, help_: str, *, recommendation=False, survey=False):
            p = sub.add_parser(name, help=help_)
            p.add_argument("dialogue", metavar="DIALOGUE", help="the dialogue's number")
            if recommendation:
                p.add_argument("recommendation", metavar="RECOMMENDATION",
                               help="the recommendation's number")  # fmt: skip
            if survey:
                p.add_argument("survey", metavar="SURVEY", help="the survey's number")
            p.add_argument("--by", required=True, metavar="EMAIL", help="your account's e-mail")
            return p

        action("recommendations", "list recommendations with their stage, and the funnel")
        p = action("recommend", "write a recommendation (conveners, facilitators, liaisons)")
        p.add_argument("--title", required=True)
        p.add_argument("--text", default="", help="empty: the words of the document's paragraph")
        p.add_argument("--target-kind", required=True,
                       help="ministry, parliament, regional, un or other")  # fmt: skip
        p.add_argument("--target-institution", required=True)
        p.add_argument(
            "--owner", metavar="EMAIL", help="the policy carrier (a liaison or convener)"
        )
        p.add_argument("--priority", default="medium", help="high, medium or low")
        p.add_argument("--due-on", metavar="YYYY-MM-DD")
        p.add_argument("--recommended-on", metavar="YYYY-MM-DD", help="default: today")
        p.add_argument("--document", metavar="ID", help="the outcome document it is drawn from")
        p.add_argument("--paragraph-key", default="", help="the paragraph's key in that document")
        action("timeline", "a recommendation's relays and reactions", recommendation=True)
        p = action("relay", "record a relay to an official (liaisons, conveners)",
                   recommendation=True)  # fmt: skip
        p.add_argument("--briefed", required=True, help="the official or institution briefed")
        p.add_argument(
            "--channel", required=True, help="meeting, non_paper, back_channel or letter"
        )
        p.add_argument("--relayed-on", required=True, metavar="YYYY-MM-DD")
        p.add_argument("--sensitivity", default=None,
                       help="who reads who was briefed: liaisons or members (default: the "
                       "conveners' choice; a liaison may not choose a wider one)")  # fmt: skip
        p.add_argument("--version-number", metavar="N", help="the document version relayed")
        p = action("relay-sensitivity", "who reads who was briefed, as the conveners chose; "
                   "--set to choose (conveners)")  # fmt: skip
        p.add_argument("--set", metavar="SENSITIVITY", dest="choose",
                       help="liaisons or members: who reads who was briefed in liaisons' relays")  # fmt: skip
        p = action("react", "record an official reaction with evidence (liaisons, conveners)",
                   recommendation=True)  # fmt: skip
        p.add_argument("--status", required=True,
                       help="received, acknowledged, considering, adopted_in_part, adopted, "
                       "rejected or no_response")  # fmt: skip
        p.add_argument("--reacted-on", required=True, metavar="YYYY-MM-DD")
        p.add_argument("--evidence-text", default="", help="the words adopted or said, quoted")
        p.add_argument("--evidence-url", default="", help="a link to the evidence (http, https)")
        p.add_argument("--relay", metavar="ID", help="the relay this reacts to")
        p = action("open-survey", "open a survey (facilitators, conveners)")
        p.add_argument("--round", required=True, metavar="N", dest="round_number")
        p.add_argument("--phase", required=True, help="before, after or follow_up")
        p.add_argument("--meeting", metavar="ID", dest="meeting_id")
        action("close-survey", "close a survey: no more answers", survey=True)
        action("comments", "a closed survey's comments (facilitators, conveners)", survey=True)
        p = action("evaluation", "the evaluation's figures, report or aggregates")
        p.add_argument("--format", choices=FORMATS, default="text")
        p.add_argument("--output", metavar="FILE", help="write here instead of the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        by = options["by"]
        user = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the e-mail {by!r}.")
        name = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{name}")(user, options)
        except NotFound:
            raise CommandError(
                f"{by} has no {options['action']} to reach in dialogue {options['dialogue']!r} "
                "with these numbers; check them (and that the dialogue lets you read this)."
            ) from None
        except ActionRefused as refusal:
            raise CommandError(_refusal(refusal)) from None

    def _say(self, lines: list[str]) -> None:
        self.stdout.write("\n".join([STATUS_LINE, *lines]))

    def _recommendations(self, user, o) -> None:
        found = access_recommendations(user, o["dialogue"])
        lines = [f"#{r['id']} [{r['priority']}] {r['title']} → {r['target_institution']}: "
                 f"{r['stage_label']}" for r in queries.recommendations(found)]  # fmt: skip
        funnel = queries.funnel(found.dialogue)
        lines.append("Funnel: " + ", ".join(f"{s['label']} {s['count']}" for s in funnel["stages"])
                     + f"; ended rejected {funnel['rejected']}, no response {funnel['no_response']}")  # fmt: skip
        self._say(lines)

    def _recommend(self, user, o) -> None:
        owner = None
        if o["owner"]:
            carrier = User.objects.filter(email__iexact=o["owner"].strip(), is_active=True).first()
            owner = carrier.pk if carrier else 0  # 0: refused by the action as no carrier
        made = actions.do_recommend(
            user, o["dialogue"], title=o["title"], text=o["text"], target_kind=o["target_kind"],
            target_institution=o["target_institution"], owner_id=owner, priority=o["priority"],
            due_on=o["due_on"], recommended_on=o["recommended_on"], document_id=o["document"],
            paragraph_key=o["paragraph_key"],
        )  # fmt: skip
        self._say([f"Recommendation #{made.pk} is recorded: {made.title}."])

    def _timeline(self, user, o) -> None:
        found, recommendation = access_recommendation(user, o["dialogue"], o["recommendation"])
        lines = [f"#{recommendation.pk} {recommendation.title}"]
        for e in queries.timeline(recommendation, found):
            detail = e.get("detail") or e.get("evidence_text") or ""
            link = f" <{e['evidence_url']}>" if e.get("evidence_url") else ""
            lines.append(f"{e['on']}  {e['label']}: {detail}{link}".rstrip(": "))
        self._say(lines)

    def _relay(self, user, o) -> None:
        relay = actions.do_relay(
            user, o["dialogue"], o["recommendation"], briefed=o["briefed"], channel=o["channel"],
            relayed_on=o["relayed_on"], sensitivity=o["sensitivity"],
            version_number=o["version_number"],
        )  # fmt: skip
        self._say([f"Relay #{relay.pk} is recorded."])

    def _relay_sensitivity(self, user, o) -> None:
        lines = []
        if o["choose"] is not None:
            change = actions.do_set_relay_sensitivity(
                user, o["dialogue"], relay_sensitivity=o["choose"]
            )
            lines.append(queries.relay_sensitivity_saved(change))
        current = queries.relay_sensitivity_out(access_impact(user, o["dialogue"], "liaison"))
        relays = current["relays"]
        lines.append(
            f"Who reads who was briefed: {current['label']} ({current['relay_sensitivity']})."
        )
        lines.append(f"Relays so far: {relays['liaisons']} read by conveners and liaisons only, "
                     f"{relays['members']} by every member.")  # fmt: skip
        self._say(lines)

    def _react(self, user, o) -> None:
        reaction = actions.do_react(
            user, o["dialogue"], o["recommendation"], status=o["status"],
            reacted_on=o["reacted_on"], evidence_text=o["evidence_text"],
            evidence_url=o["evidence_url"], relay_id=o["relay"],
        )  # fmt: skip
        self._say([f"Reaction #{reaction.pk} ({reaction.get_status_display()}) is recorded."])

    def _open_survey(self, user, o) -> None:
        number = o["round_number"].strip()
        survey = actions.do_open_survey(
            user, o["dialogue"], phase=o["phase"],
            round_number=int(number) if number.isascii() and number.isdigit() and len(number) < 7
            else number,  # not a number: refused by the action with its message
            meeting_id=o["meeting_id"],
        )  # fmt: skip
        self._say([f"Survey #{survey.pk} ({queries.survey_label(survey)}) is open."])

    def _close_survey(self, user, o) -> None:
        survey = actions.do_close_survey(user, o["dialogue"], o["survey"])
        self._say([f"Survey #{survey.pk} ({queries.survey_label(survey)}) is closed."])

    def _comments(self, user, o) -> None:
        _found, survey = access_survey_comments(user, o["dialogue"], o["survey"])
        got = queries.comments(survey)
        lines = [f"Comments on {queries.survey_label(survey)} (k = {got['k']}):"]
        if got["hidden_because"]:
            lines.append(got["hidden_because"])
        lines += ["- " + " ".join(text.split()) for text in got["comments"]]
        if got["withheld_naming"]:
            lines.append(f"{got['withheld_naming']} withheld: they name the dialogue's people.")
        self._say(lines)

    def _evaluation(self, user, o) -> None:
        found = access_evaluation(user, o["dialogue"])
        fmt, output = o["format"], o["output"]
        if fmt == "pdf" and not output:
            raise CommandError("A PDF goes to a file: add --output FILE.")
        if fmt == "text":
            body = _text(queries.evaluation(found.dialogue)).encode()
        elif fmt == "json":
            body = json.dumps(
                queries.evaluation(found.dialogue), ensure_ascii=False, indent=1
            ).encode()
        else:
            body = report.render(found.dialogue, fmt)
        if output:
            try:
                Path(output).write_bytes(body)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            self.stdout.write(f"Wrote {output} ({len(body)} bytes).")
        else:
            self.stdout.write(body.decode(), ending="" if body.endswith(b"\n") else "\n")


def _text(e: dict) -> str:
    """The evaluation as plain lines: only the figures `queries.evaluation` let through."""
    lines = [e["status_line"], f"k = {e['k']}. {e['method']}"]
    for comparison in e["comparisons"]:
        lines.append(f"\n{comparison['label']}")
        for measure in comparison["measures"]:
            lines.append(f"  {measure['label']}")
            for row in measure["rows"]:
                c = row["change"]
                if not row["shown"]:
                    lines.append(f"    {row['group']}: {queries.HIDDEN}")
                elif c is None:
                    lines.append(f"    {row['group']}: no answers")
                else:
                    ci = "" if c["ci_low"] is None else f" [{c['ci_low']}, {c['ci_high']}]"
                    effect = (
                        ""
                        if c["effect_size"] is None
                        else f", {c['effect_kind']} {c['effect_size']}"
                    )
                    lines.append(
                        f"    {row['group']}: {c['mean_before']} → {c['mean_after']}, change "
                        f"{c['change']}{ci}{effect} (n {c['n_before']}/{c['n_after']}, "
                        f"pairs {c['n_pairs']})"
                    )
    f = e["funnel"]
    lines.append("\nFunnel: " + ", ".join(f"{s['label']} {s['count']}" for s in f["stages"]))
    effort = e["effort"]
    lines.append(f"Effort: {effort['rounds']} rounds, {effort['meeting_hours']} meeting hours, "
                 f"{effort['people_days']} people-days")  # fmt: skip
    return "\n".join(lines) + "\n"
