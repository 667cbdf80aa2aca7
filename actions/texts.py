"""What the assistant says itself, in plain Dutch (B1) and English. Placeholders in braces are
filled from the municipality's settings: {municipality}, {phone}, {website}, {address},
{opening_hours}."""

from __future__ import annotations

from typing import Final

from knowledge_base.text import Language

TEXTS: Final[dict[str, dict[Language, str]]] = {
    "greet": {
        "nl": "Hallo! Ik ben de digitale assistent van gemeente {municipality}. Stel gerust uw "
        "vraag, bijvoorbeeld over afval, uw paspoort of verhuizen.",
        "en": "Hello! I am the digital assistant of the municipality of {municipality}. Ask me "
        "anything, for example about waste, your passport or moving house.",
    },
    "goodbye": {
        "nl": "Tot ziens! U kunt hier altijd weer een vraag stellen.",
        "en": "Goodbye! You can always ask another question here.",
    },
    "thank": {
        "nl": "Graag gedaan! Kan ik u nog ergens anders mee helpen?",
        "en": "You're welcome! Is there anything else I can help you with?",
    },
    "affirm": {
        "nl": "Fijn! Heeft u nog een vraag? Stel die gerust.",
        "en": "Good! Do you have another question? Just ask.",
    },
    "deny": {
        "nl": "Goed. Heeft u een andere vraag? Stel die gerust.",
        "en": "All right. Do you have another question? Just ask.",
    },
    "bot_challenge": {
        "nl": "Ik ben een computerprogramma: de digitale assistent van gemeente {municipality}. "
        "Wilt u liever een medewerker spreken? Typ dan 'medewerker'.",
        "en": "I am a computer program: the digital assistant of the municipality of "
        "{municipality}. Would you rather talk to a person? Type 'person'.",
    },
    "handoff": {
        "nl": "Ik geef uw vraag door aan een medewerker. U krijgt in dit gesprek antwoord. "
        "Bellen kan ook: {phone}, {opening_hours}.",
        "en": "I am passing your question on to a colleague. You will get an answer in this "
        "conversation. You can also call us: {phone}, {opening_hours}.",
    },
    "dont_know": {
        "nl": "Daar heb ik helaas geen goed antwoord op. Wat u kunt doen:\n"
        "- uw vraag anders stellen\n"
        "- kijken op {website}\n"
        "- bellen met {phone}, {opening_hours}\n"
        "- 'medewerker' typen om een collega te spreken",
        "en": "Sorry, I don't have a good answer to that. What you can do:\n"
        "- ask your question in a different way\n"
        "- look at {website}\n"
        "- call {phone}, {opening_hours}\n"
        "- type 'person' to talk to a colleague",
    },
    "more_info": {
        "nl": "Meer informatie: {url}",
        "en": "More information: {url}",
    },
    "only_in_dutch": {
        "nl": "",
        "en": "(This answer is only available in Dutch.)",
    },
}
