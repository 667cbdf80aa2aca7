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
    "unsupported_photo": {
        "nl": "Ik kan helaas geen foto's bekijken. Wilt u in een bericht beschrijven wat u ziet "
        "of wat u wilt vragen?",
        "en": "Sorry, I can't look at photos. Could you describe in a message what you see or "
        "what you would like to ask?",
    },
    "unsupported_voice": {
        "nl": "Ik kan helaas geen spraakberichten beluisteren. Wilt u uw vraag typen?",
        "en": "Sorry, I can't listen to voice messages. Could you type your question?",
    },
    "unsupported_file": {
        "nl": "Ik kan helaas geen bestanden of video's openen. Wilt u uw vraag typen?",
        "en": "Sorry, I can't open files or videos. Could you type your question?",
    },
    "unsupported_sticker": {
        "nl": "Leuk! Ik begrijp alleen tekst. Wat is uw vraag?",
        "en": "Nice! I only understand text. What is your question?",
    },
    "unsupported_location": {
        "nl": "Bedankt voor uw locatie. Ik kan die nog niet gebruiken. Beschrijf in een bericht "
        "waar het is, bijvoorbeeld met de straatnaam.",
        "en": "Thank you for your location. I can't use it yet. Please describe in a message "
        "where it is, for example with the street name.",
    },
    "unsupported_edit": {
        "nl": "U heeft een bericht aangepast. Ik lees alleen nieuwe berichten: stuur uw vraag "
        "gerust opnieuw.",
        "en": "You edited a message. I only read new messages: please send your question again.",
    },
    "unsupported_other": {
        "nl": "Dit soort bericht kan ik helaas niet lezen. Wilt u uw vraag typen?",
        "en": "Sorry, I can't read this kind of message. Could you type your question?",
    },
    "slow_down": {
        "nl": "U stuurt veel berichten kort na elkaar. Wacht even en stuur uw vraag dan opnieuw.",
        "en": "You are sending many messages in a short time. Please wait a moment and send "
        "your question again.",
    },
    "did_you_mean": {
        "nl": "Bedoelt u een van deze vragen? Kies er een, of stel uw vraag anders.",
        "en": "Do you mean one of these questions? Choose one, or ask in a different way.",
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
