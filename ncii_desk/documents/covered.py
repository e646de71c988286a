"""The question "is this site a covered platform under the TAKE IT DOWN Act?", asked, not assumed.

The 48-hour removal duty of 47 U.S.C. § 223a binds only a "covered platform". Whether a
given site is one is a legal judgement the advocate makes; NCII Desk never assumes it. The
answer ("yes", "no" or "unsure") is stored with each TAKE IT DOWN request, the validator
refuses a TAKE IT DOWN draft without one, and the letter's wording follows it:

- "yes": the letter is a removal request under the Act and asks for removal within 48 hours
  of receipt; the tracker counts the 48 hours.
- "no" or "unsure": the letter does not say the site is a covered platform nor that it owes
  removal within 48 hours; it asks for removal under the site's own policies, and ("unsure")
  notes that if the site is a covered platform the letter also serves as a request under the
  Act. No 48-hour deadline is tracked.

The definition below is a plain-words summary written for this program from the statute's
definition; it is not the statute's text (verify against the current text).
"""

from __future__ import annotations

from typing import Final

ANSWERS: Final = ("yes", "no", "unsure")

QUESTION: Final = "Is this site a covered platform under the TAKE IT DOWN Act (47 U.S.C. § 223a)?"

DEFINITION: Final = (
    "In plain words: a covered platform is a website, online service or app (including a "
    "mobile app) open to the public that mainly offers a place for content its users post "
    "(messages, pictures, videos, audio, games), or whose regular business is publishing, "
    "curating, hosting or making available non-consensual intimate images. Not covered: "
    "broadband internet access providers; e-mail; and a service made up mainly of content "
    "the provider itself chose in advance (not posted by users), where any chat, comment or "
    "other interactive feature is only incidental to, directly related to, or dependent on "
    "that content. This is a summary, not the statute's text: check the current definition "
    "before relying on it."
)

ANSWER_WORDS: Final = {
    "yes": "Yes: it is a covered platform (the 48-hour removal duty applies)",
    "no": "No: it is not a covered platform (ask for removal under its own policies)",
    "unsure": "Not sure (ask for removal under its own policies; mention the Act)",
}


def clean_answer(value: str | None) -> str:
    """ "yes", "no", "unsure" or "" for anything else (not answered)."""
    text = (value or "").strip().lower()
    return text if text in ANSWERS else ""
