"""Forms of live lessons: starting a game, its settings, joining by PIN with a nickname."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom

ANYONE = "anyone"
TIMER_CHOICES = [
    ("", _("No timer")),
    ("30", _("30 seconds")),
    ("60", _("60 seconds")),
    ("90", _("90 seconds")),
]

# Nicknames are shown on the projector to the whole class: a small list of words (English and
# German, and their usual spellings with digits) that no nickname may contain. Small on
# purpose: the teacher sees every name and can end the game; this stops the obvious ones.
BLOCKED_WORDS = frozenset(
    {
        "arsch", "ass", "bastard", "bitch", "cock", "cunt", "dick", "fick", "fuck", "fotze",
        "hitler", "hure", "nazi", "nigger", "nigga", "penis", "porn", "porno", "pussy", "schlampe",
        "scheiss", "scheisse", "schwuchtel", "sex", "shit", "slut", "spast", "titten", "whore",
        "wichser", "hurensohn", "missgeburt", "opfer", "kanake", "fag", "faggot", "rape", "retard",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
NICKNAME_PATTERN = re.compile(r"[\w\- ]{2,20}")


def nickname_blocked(nickname: str) -> bool:
    """Whether the nickname contains a blocked word, read without accents, digits for
    letters, spaces or punctuation ("F u_c k" is caught; "Sussex" is not: whole words of the
    name, and the name run together, are checked against the list, never every substring)."""
    plain = unicodedata.normalize("NFKD", nickname.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).translate(_LEET)
    plain = plain.replace("ß", "ss")
    words = re.findall(r"[a-z]+", plain)
    joined = "".join(words)
    return any(w in BLOCKED_WORDS for w in words) or joined in BLOCKED_WORDS


class StartForm(forms.Form):
    """Run a quiz live: for which class (or anyone with the PIN), with a timer, with the
    leaderboard between rounds (both off unless chosen)."""

    players = forms.ChoiceField(
        label=_("Who plays"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a class, or anyone with the PIN.")},
    )
    timer = forms.ChoiceField(
        label=_("Timer for each round"), choices=TIMER_CHOICES, required=False
    )
    leaderboard = forms.BooleanField(
        label=_("Show a leaderboard between rounds (top 5 and most improved)"), required=False
    )

    def __init__(
        self, *args: object, classrooms: QuerySet[Classroom], fixed: bool, **kwargs: object
    ):
        super().__init__(*args, **kwargs)
        self.classrooms = classrooms
        choices = [(str(c.pk), c.name) for c in classrooms]
        if not fixed:
            choices.append((ANYONE, _("Anyone with the PIN (players choose a nickname)")))
        self.fields["players"].choices = choices

    def cleaned_classroom(self) -> Classroom | None:
        chosen = self.cleaned_data["players"]
        return None if chosen == ANYONE else self.classrooms.get(pk=chosen)

    def cleaned_timer(self) -> int | None:
        return int(self.cleaned_data["timer"]) if self.cleaned_data.get("timer") else None


class SettingsForm(forms.Form):
    timer = forms.ChoiceField(
        label=_("Timer for the next rounds"), choices=TIMER_CHOICES, required=False
    )
    leaderboard = forms.BooleanField(label=_("Leaderboard between rounds"), required=False)

    def cleaned_timer(self) -> int | None:
        return int(self.cleaned_data["timer"]) if self.cleaned_data.get("timer") else None


class JoinForm(forms.Form):
    """Join by PIN; a nickname for games open to anyone (a signed-in student needs none)."""

    pin = forms.CharField(
        label=_("Game PIN"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Type the 6-digit PIN from the projector."),
            "min_length": _("The PIN has 6 digits."),
            "max_length": _("The PIN has 6 digits."),
        },
    )
    nickname = forms.CharField(
        label=_("Nickname"),
        required=False,
        max_length=20,
        help_text=_(
            "Only if you are not signed in: 2 to 20 letters or digits. Not your full name."
        ),
        error_messages={"max_length": _("A nickname has at most 20 characters.")},
    )

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"].strip()
        if not pin.isdigit():
            raise forms.ValidationError(_("The PIN has digits only."))
        return pin

    def clean_nickname(self) -> str:
        nickname = " ".join(self.cleaned_data["nickname"].split())
        if not nickname:
            return ""
        if not NICKNAME_PATTERN.fullmatch(nickname):
            raise forms.ValidationError(
                _("Use 2 to 20 letters, digits, spaces or dashes for your nickname.")
            )
        if nickname_blocked(nickname):
            raise forms.ValidationError(_("Please choose another nickname."))
        return nickname
